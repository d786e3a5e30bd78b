// bandmaster as its package runs: `require('bandmaster')` resolves, through package.json
// "exports" (the repository's own, by self-reference: no node_modules copy), to the main bundle
// that `npm run build` wrote into dist/bundle/, one file instead of lib's ~75 modules. Only the
// cold start runs it (coldCase): warm, it is the same code as the `bandmaster` row. It registers
// the same definitions as that row (./definitions, which loads no bandmaster code).
import 'reflect-metadata';
import { Container } from 'bandmaster';
import { definitions } from './definitions';
import type { Booted, Contestant } from '../contestant';

/** bandmaster loaded from its package's main bundle, logging off. */
export const bandmasterPackage: Contestant = {
  name: 'bandmaster (package)',
  boot: async (graph, hooks): Promise<Booted> => {
    const container = new Container({ logger: false });
    container.register(...definitions(graph, hooks));
    await container.startAll();
    return { stop: async () => void (await container.stopAll()) };
  },
};
