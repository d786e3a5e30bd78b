// TypeDoc plugin: leaves Node's `[util.inspect.custom]` hooks out of the API reference. Config
// classes define one to mask secrets when logged; it is a Node protocol, not bandmaster API, so
// it is neither documented nor required to be.
import { Converter } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of Object.values(context.project.reflections)) {
      if (reflection.name === '[custom]') context.project.removeReflection(reflection);
    }
  });
}
