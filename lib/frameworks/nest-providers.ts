// Why a bandmaster service cannot take a NestJS provider, and the error that says so. The
// container boots while Nest builds its providers (BandmasterModule's own provider is one of the
// first): a Nest provider is not built yet when a bandmaster service needs it, and may itself
// inject a bandmaster service, so taking one is refused, by name, before anything starts.
import type { DiscoveryService } from '@nestjs/core' with { 'resolution-mode': 'import' };
import { BandmasterError, BootError, isBandmasterError } from '../index';
import type { InjectionToken } from '../index';

/** What the boot needs from `@nestjs/core`, loaded once the application imports BandmasterModule. */
export type NestCore = Pick<typeof import('@nestjs/core', { with: { 'resolution-mode': 'import' } }), 'DiscoveryModule' | 'DiscoveryService'>;

let core: NestCore | undefined;

/**
 * `@nestjs/core`, through `require` (NestJS 12 is ESM-only: `require(esm)`, Node 22.12+). The
 * application has loaded it already: this is the same module instance.
 *
 * @throws BandmasterError `InvalidDefinition` when `@nestjs/core` is not installed.
 */
export function nestCore(): NestCore {
  if (core) return core;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    core = require('@nestjs/core') as NestCore;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    throw new BandmasterError('InvalidDefinition', { service: 'bandmaster/nest', detail: 'BandmasterModule needs @nestjs/core: npm install @nestjs/core @nestjs/common', cause: err });
  }
  return core;
}

function tokenName(token: unknown): string | undefined {
  if (typeof token === 'string') return token;
  if (typeof token === 'symbol') return token.description;
  if (typeof token === 'function') return token.name;
  // a bandmaster token() is provided to Nest by its name
  if (typeof token === 'object' && token !== null && typeof (token as { name?: unknown }).name === 'string') return (token as { name: string }).name;
  return undefined;
}

/** The names of the providers Nest has, less the ones BandmasterModule provides from the container. */
function nestProviderNames(discovery: DiscoveryService, exposed: readonly InjectionToken[]): Set<string> {
  const ours = new Set(exposed.map(tokenName));
  const names = new Set<string>();
  for (const wrapper of discovery.getProviders()) {
    const name = tokenName(wrapper.token);
    if (name !== undefined && !ours.has(name)) names.add(name);
  }
  return names;
}

function refusal(service: string | undefined, dependency: string): BandmasterError {
  return new BandmasterError('InvalidDefinition', {
    service,
    dependency,
    detail:
      `it depends on \`${dependency}\`, which only NestJS provides: bandmaster boots its services before Nest builds its providers, so a bandmaster service cannot take a Nest provider. ` +
      `Give the value to the container instead: BandmasterModule.forRootAsync({ inject: [${dependency}], useFactory: (value) => (container.register({ name: ${dependency}, useValue: value }), { container }), services }) (that provider must not inject a bandmaster service), ` +
      `or make \`${service ?? '?'}\` a Nest provider that injects the bandmaster services it uses`,
  });
}

/**
 * `error` with every `DependencyMissing` of its validation that names a Nest provider turned into
 * an `InvalidDefinition` naming the service, the provider and the fix; any other error as it is.
 */
export function explainNestDependencies(error: unknown, discovery: DiscoveryService, exposed: readonly InjectionToken[]): unknown {
  if (!(error instanceof BootError) || !error.errors.some((e) => isBandmasterError(e, 'DependencyMissing'))) return error;
  const nest = nestProviderNames(discovery, exposed);
  let changed = false;
  const errors = error.errors.map((e) => {
    if (!isBandmasterError(e, 'DependencyMissing') || e.dependency === undefined || !nest.has(e.dependency)) return e;
    changed = true;
    return refusal(e.service, e.dependency);
  });
  return changed ? new BootError(errors, error.report) : error;
}
