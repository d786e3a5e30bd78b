import type { LifecycleOptions } from '../decorators/metadata';
import type { FactoryDefinition } from './definition';
import { classValidator, loadEnv, maskSecrets, maskValue } from './env';
import { BandmasterError, describeCause } from './errors';
import type { Constructor, InjectionToken } from './tokens';
import { onAbort as onAbortOf, raceAbort } from './retry';

/** Options every provider factory takes: `redis({ name, env | config, required, retries, backoff, dependsOn })`. */
export interface ProviderOptions<C> extends LifecycleOptions {
  /** The name the client is registered and injected under (`@Inject('rd-1')`). */
  readonly name: string;
  /** Prefix of the environment variables to read (`RD_EXAMPLE` reads `RD_EXAMPLE_URI`...). */
  readonly env?: string;
  /** Explicit configuration; overrides what `env` gave. Unset fields keep their defaults. */
  readonly config?: Partial<C>;
  /** Start-order dependencies. */
  readonly dependsOn?: readonly InjectionToken[];
}

/** What a provider is made of: how to build, start, check and stop its client. */
export interface ProviderSpec<C extends object, T> {
  /** Short name, for messages: `redis`. */
  readonly provider: string;
  /**
   * The client library's package (an optional peer dependency). It is loaded when the factory is
   * called: a missing one fails at registration, naming the package, and loading it is not billed
   * to (nor timed out in) the first start attempt.
   */
  readonly peer?: string;
  /** The config class, read by `loadEnv` from `<PREFIX>_<FIELD>` variables. */
  readonly configClass: Constructor<C>;
  /** Builds the client from its configuration. No I/O here. Give `create` or `connect`. */
  readonly create?: (config: C, name: string) => T;
  /**
   * Instead of `create`, for client libraries that connect as they build the client (nats
   * `connect()`): builds and connects in one step, as part of the start attempt, before `start`.
   * It gets the attempt's signal: tear the connect down when it aborts. The container also races it
   * with the attempt's abort and timeout and stops a client that connects after its attempt was
   * given up on; bound it with the library's own connect timeout too.
   */
  readonly connect?: (config: C, name: string, signal: AbortSignal) => Promise<T>;
  /** Connects and runs a real health check; honours `signal` (no connect attempt outlives it). */
  readonly start: (client: T, signal: AbortSignal, config: C) => Promise<void>;
  /** A round trip to the server. */
  readonly healthCheck: (client: T, signal: AbortSignal) => Promise<unknown>;
  /** Closes gracefully; leaves no socket or timer behind. */
  readonly stop: (client: T, signal: AbortSignal) => Promise<void>;
}

/**
 * Turns a {@link ProviderSpec} into a provider factory. The configuration is read and validated
 * when the factory is called, so bad configuration fails at registration; each start attempt
 * builds a fresh client.
 *
 * @throws BandmasterError `InvalidDefinition` when the spec gives both or neither of `create` and
 * `connect`; from the returned factory: `InvalidDefinition` when the `peer` package is not
 * installed, `InvalidConfig` for bad env or config.
 */
export function defineProvider<C extends object, T>(spec: ProviderSpec<C, T>): (options: ProviderOptions<C>) => FactoryDefinition<T> {
  const { connect, create } = spec;
  if ((connect === undefined) === (create === undefined)) {
    throw new BandmasterError('InvalidDefinition', { service: spec.provider, detail: 'a provider gives exactly one of `create` and `connect`' });
  }
  return (options) => {
    if (spec.peer !== undefined) loadPeer(spec.peer, spec.provider);
    const config = resolveConfig(spec.configClass, options);
    const { name, env: _env, config: _config, ...lifecycle } = options;
    return {
      ...lifecycle,
      name,
      useFactory: connect ? (signal: AbortSignal) => connect(config, name, signal) : () => create!(config, name),
      onStart: (client, signal) => spec.start(client, signal, config),
      onStop: (client, signal) => spec.stop(client, signal),
      healthCheck: (client, signal) => spec.healthCheck(client, signal),
    };
  };
}

/** Reads env (when `options.env` is set), applies `options.config`, validates the result. */
export function resolveConfig<C extends object>(configClass: Constructor<C>, options: Pick<ProviderOptions<C>, 'name' | 'env' | 'config'>): C {
  const config = options.env ? loadEnv(configClass, options.env) : new configClass();
  if (!options.config) return config;
  for (const [key, value] of Object.entries(options.config)) {
    // assigning these would swap the config's prototype (parsed JSON can carry them) and skip validation
    if (FORBIDDEN_KEYS.has(key)) {
      throw new BandmasterError('InvalidConfig', { service: options.name, detail: `  - config.${key}: not a configuration field; remove it`, variables: [`config.${key}`] });
    }
    (config as Record<string, unknown>)[key] = value;
  }
  const errors = classValidator().validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const shown = maskSecrets(config);
    const lines = errors.map((e) => `  - config.${e.property}=${clip(JSON.stringify(String(shown[e.property])))}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new BandmasterError('InvalidConfig', { service: options.name, detail: lines.join('\n'), variables: errors.map((e) => `config.${e.property}`) });
  }
  return config;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Loads a provider's client library, which is an optional peer dependency.
 *
 * @throws BandmasterError `InvalidDefinition` naming the package to install.
 */
export function loadPeer<M>(pkg: string, provider: string): M {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(pkg) as M;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    throw new BandmasterError('InvalidDefinition', {
      service: provider,
      detail: `the ${provider} provider needs the ${pkg} package: npm install ${pkg}`,
      cause: err,
    });
  }
}

/**
 * Settles like `work`, unless `signal` aborts first: then `onAbort` runs (destroy the half-open
 * client) and the promise rejects with the abort reason.
 */
export function abortable<R>(work: Promise<R>, signal: AbortSignal, onAbort: () => void): Promise<R> {
  if (signal.aborted) {
    onAbort();
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  // registered before raceAbort's own listener: the client is torn down before the rejection
  const off = onAbortOf(signal, onAbort);
  const result = raceAbort(work, signal);
  result.then(off, off);
  return result;
}

/** An error for an unreachable server that names host and port, keeping the client's error as cause. */
export function unreachable(provider: string, address: string, cause: unknown): Error {
  return new Error(`${provider} at ${String(maskValue(address))} is unreachable: ${describeCause(cause)}`, { cause });
}
