// What `container.scan()` and `container.override()` do to the registry: the Container keeps
// `register()` itself and delegates these two here.
import { hasServiceMetadata, readClassMetadata } from '../decorators/metadata';
import type { AnyDefinition, Override } from './definition';
import { BandmasterError } from './errors';
import type { FleetHost } from './fleet/host';
import { adoptFleetSpec } from './fleet/service';
import { toSpec } from './registration/spec';
import type { Registry } from './registry';
import { checkToken, isToken, tokenKey, type Constructor, type InjectionToken } from './tokens';

/** Registers `roots` and, transitively, the `@Service` classes they depend on that are not registered yet. */
export function scanClasses(registry: Registry, fleet: FleetHost, roots: readonly Constructor[]): void {
  const stack = [...roots];
  const seen = new Set<Constructor>();
  while (stack.length > 0) {
    const cls = stack.pop()!;
    if (seen.has(cls)) continue;
    seen.add(cls);
    const spec = registry.specOf(cls) ?? registry.add(adoptFleetSpec(toSpec(cls), fleet)).spec;
    for (const token of spec.depTokens) {
      if (typeof token === 'function' && hasServiceMetadata(token) && !registry.specOf(token)) stack.push(token as Constructor);
    }
    for (const dep of readClassMetadata(cls).dependsOn) if (typeof dep === 'function' && hasServiceMetadata(dep)) stack.push(dep as Constructor);
  }
}

/**
 * Replaces what `token` provides, registering it if needed; the replacement keeps the service's
 * name, keys, `required` and scope.
 *
 * @throws BandmasterError `InvalidDefinition` when the service is running; `InvalidArgument` when `token` is not a token.
 */
export function overrideService<T>(registry: Registry, token: InjectionToken<T>, replacement: Override<T>): void {
  checkToken(token, 'override()');
  const node = registry.lookup(token);
  if (node && node.state !== 'idle' && node.state !== 'stopped' && node.state !== 'failed') {
    throw new BandmasterError('InvalidDefinition', { service: node.name, detail: `cannot override a service that is ${node.state}; call stopAll() first` });
  }
  const code = registry.indexOf(token);
  const entry = code <= -2 ? registry.specAt(code) : undefined;
  const name = node ? node.name : entry ? entry.name : typeof token === 'function' ? token.name : isToken(token) ? token.name : token;
  const spec = toSpec({ required: (node?.spec ?? entry)?.required, scope: entry?.scope, ...replacement, name } as AnyDefinition);
  if (node) registry.replace(node, spec);
  else if (entry) registry.replaceScoped(code, spec);
  else registry.add(typeof token === 'function' ? { ...spec, aliases: [...spec.aliases, tokenKey(token)] } : spec);
}
