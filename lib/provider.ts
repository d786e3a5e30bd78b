import type { LifecycleOptions } from '../decorators/metadata';
import type { AnyDefinition, FactoryDefinition } from './definition';
import { clampDurations, classValidator, loadEnv, maskSecrets } from './env';
import { showValue } from './config/mask';
import { BandmasterError, describeValue } from './errors';
import { clampDelay } from './delay';
import { getGlobalLogger, type Logger } from './logger';
import type { Constructor, InjectionToken } from './tokens';
import { connectTimedOut, loadPeer } from './provider-kit';

export { abortable, connectTimedOut, isNetworkError, loadPeer, networkError, unreachable } from './provider-kit';

/** Options every provider factory takes: `redis({ name, env | config, required, retries, backoff, dependsOn })`. */
export interface ProviderOptions<C> extends LifecycleOptions {
  /** The name the client is registered and injected under (`@Inject('rd-1')`). */
  readonly name: string;
  /** Prefix of the environment variables to read (`RD_EXAMPLE` reads `RD_EXAMPLE_URI`...). */
  readonly env?: string;
  /**
   * Explicit configuration; overrides what `env` gave. Unset fields keep their defaults. A
   * function is called at registration (bad configuration still fails there) and again, with
   * `env` read again, by every start attempt: a restart then picks up rotated credentials.
   */
  readonly config?: Partial<C> | (() => Partial<C>);
  /** Start-order dependencies. */
  readonly dependsOn?: readonly InjectionToken[];
}

/**
 * What a provider's hooks receive besides the client: the attempt's signal (honour it: no connect
 * attempt outlives it), the service name, and the logger of the container the service is
 * registered in (a silent one under `new Container({ logger: false })`).
 */
export interface ProviderContext {
  /** Aborts when the attempt is given up on (timeout, `stopAll`, a failed boot). */
  readonly signal: AbortSignal;
  /** The service name (`rd-1`). */
  readonly name: string;
  /** The container's own logger; never the process-wide one when the container has its own. */
  readonly log: Logger;
  /**
   * Reports the client closed for good (a connection that will not come back, a client ended by
   * the user's code): the service is marked **lost**, and restarted when it has `restart`. Only
   * the client this hook was given counts, and only while it is started; elsewhere a no-op.
   */
  readonly lost: (error: unknown) => void;
}

/** How a container learns that provider `name`'s `client` is lost. */
export type LoseClient = (name: string, client: unknown, error: unknown) => void;

const NO_LOSS: LoseClient = () => undefined;

/** What a provider is made of: how to build, start, check and stop its client. */
export interface ProviderSpec<C extends object, T> {
  /** Short name, for messages: `redis`. */
  readonly provider: string;
  /**
   * The client library's package (an optional peer dependency). It is loaded (once) when the
   * factory is called: a missing one fails at registration, naming the package, and loading it is
   * not billed to (nor timed out in) the first start attempt.
   */
  readonly peer?: string;
  /** The config class (extend {@link MaskedConfig}), read by `loadEnv` from `<PREFIX>_<FIELD>` variables. */
  readonly configClass: Constructor<C>;
  /** Builds the client from its configuration. No I/O here. Give `create` or `connect`. */
  readonly create?: (config: C, context: ProviderContext) => T;
  /**
   * Instead of `create`, for client libraries that connect as they build the client (nats
   * `connect()`): builds and connects in one step, as part of the start attempt, before `start`.
   * Tear the connect down when `context.signal` aborts. The container also races it with the
   * attempt's abort and timeout and stops a client that connects after its attempt was given up
   * on; bound it with the library's own connect timeout too.
   */
  readonly connect?: (config: C, context: ProviderContext) => Promise<T>;
  /** Connects and runs a real health check; honours `context.signal`. */
  readonly start: (client: T, context: ProviderContext, config: C) => Promise<void>;
  /** A round trip to the server. */
  readonly healthCheck: (client: T, context: ProviderContext) => Promise<unknown>;
  /** Closes gracefully; leaves no socket or timer behind. */
  readonly stop: (client: T, context: ProviderContext) => Promise<void>;
  /**
   * The connect deadline of each start attempt (give every provider one of a few seconds by
   * default): `connect` and `start` each fail with {@link connectTimedOut}, naming `address`, when
   * they take longer than `ms`; their signal aborts then, so the client is torn down. `ms` of 0 or
   * less means none. Durations go through `clampDelay`.
   */
  readonly connectDeadline?: (config: C) => {
    /** The deadline in milliseconds. */
    readonly ms: number;
    /** What a timeout message names: `host:port` (several joined by `, `). */
    readonly address: string;
  };
}

/**
 * Runs `run` with a signal that aborts with the parent or, after `deadline.ms`, with a
 * {@link connectTimedOut} error, which is then what the promise rejects with.
 */
function withDeadline<R>(provider: string, deadline: { ms: number; address: string } | undefined, parent: AbortSignal, run: (signal: AbortSignal) => Promise<R>): Promise<R> {
  if (!deadline || !(deadline.ms > 0)) return run(parent);
  const child = new AbortController();
  const timedOut = connectTimedOut(provider, deadline.address, deadline.ms);
  const follow = (): void => child.abort(parent.reason);
  if (parent.aborted) follow();
  else parent.addEventListener('abort', follow, { once: true });
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.abort(timedOut);
      reject(timedOut);
    }, clampDelay(deadline.ms));
    const done = (): void => {
      clearTimeout(timer);
      parent.removeEventListener('abort', follow);
    };
    let work: Promise<R>;
    try {
      work = run(child.signal);
    } catch (err) {
      done();
      reject(err);
      return;
    }
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (err: unknown) => {
        done();
        reject(child.signal.reason === timedOut ? timedOut : err);
      },
    );
  });
}

/** Where a provider definition keeps how to rebuild its hooks for a given container's logger. */
const BIND_LOGGER = Symbol.for('bandmaster:provider-logger');

type HookSet<T> = Pick<FactoryDefinition<T>, 'useFactory' | 'onStart' | 'onStop' | 'healthCheck'>;
type Binder = (log: () => Logger | false, lose?: LoseClient) => HookSet<unknown>;

/**
 * Turns a {@link ProviderSpec} into a provider factory. The configuration is read and validated
 * when the factory is called, so bad configuration fails at registration; each start attempt
 * builds a fresh client.
 *
 * @throws BandmasterError `InvalidDefinition` when the spec gives both or neither of `create` and
 * `connect`; from the returned factory: `InvalidDefinition` when the `peer` package is not
 * installed, `InvalidConfig` for bad env or config.
 * @example
 * ```ts
 * export const queue = defineProvider<QueueConfig, QueueClient>({
 *   provider: 'queue', peer: 'amqplib', configClass: QueueConfig,
 *   create: (config, { name }) => new QueueClient(config.url, name),
 *   start: (client, { signal }) => abortable(client.connect(), signal, () => client.destroy()),
 *   healthCheck: (client, { signal }) => abortable(client.ping(), signal, () => undefined),
 *   stop: (client, { signal }) => abortable(client.close(), signal, () => client.destroy()),
 * });
 * ```
 */
export function defineProvider<C extends object, T>(spec: ProviderSpec<C, T>): (options: ProviderOptions<C>) => FactoryDefinition<T> {
  const { connect, create } = spec;
  if ((connect === undefined) === (create === undefined)) {
    throw new BandmasterError('InvalidDefinition', { service: spec.provider, detail: 'a provider gives exactly one of `create` and `connect`' });
  }
  return (options) => {
    if (spec.peer !== undefined) loadPeer(spec.peer, spec.provider);
    const { name, env, config: given, ...lifecycle } = options;
    const read = (): C => resolveConfig(spec.configClass, { name, env, config: typeof given === 'function' ? callConfig(name, given) : given });
    // a function is read again by each start attempt (its create or connect), and the attempt's start sees the same
    let config = read();
    const fresh = typeof given === 'function' ? (): C => (config = read()) : (): C => config;
    const hooks = (getLog: () => Logger | false, lose: LoseClient = NO_LOSS): HookSet<T> => {
      const log = lazyLogger(getLog);
      const context = (signal: AbortSignal, client?: T): ProviderContext => ({ signal, name, log, lost: (error) => client !== undefined && lose(name, client, error) });
      const bounded = <R>(signal: AbortSignal, run: (s: AbortSignal) => Promise<R>): Promise<R> => withDeadline(spec.provider, spec.connectDeadline?.(config), signal, run);
      const set: HookSet<T> = {
        useFactory: connect ? (signal: AbortSignal) => (fresh(), bounded(signal, (s) => connect(config, context(s)))) : (signal: AbortSignal) => create!(fresh(), context(signal)),
        onStart: (client, signal) => bounded(signal, (s) => spec.start(client, context(s, client), config)),
        onStop: (client, signal) => spec.stop(client, context(signal)),
        healthCheck: (client, signal) => spec.healthCheck(client, context(signal)),
      };
      for (const hook of Object.values(set)) providerHooks.add(hook as object);
      providerKinds.set(set.useFactory, spec.provider);
      return set;
    };
    const definition = { ...lifecycle, name, ...hooks(getGlobalLogger) };
    Object.defineProperty(definition, BIND_LOGGER, { value: hooks, enumerable: true });
    return definition;
  };
}

/**
 * Gives a provider definition the logger of the container it is registered in: its hooks are
 * rebuilt around `log` (hooks a caller replaced are kept). Other definitions are returned as they
 * are. Called by `Container.register`.
 *
 * @internal
 */
export function bindProviderLogger<D extends AnyDefinition | Constructor>(definition: D, log: () => Logger | false, lose?: LoseClient): D {
  if (typeof definition !== 'object' || definition === null) return definition;
  const bind = (definition as { [BIND_LOGGER]?: Binder })[BIND_LOGGER];
  if (typeof bind !== 'function') return definition;
  const rebound = bind(log, lose);
  const out: Record<string | symbol, unknown> = { ...(definition as object) };
  for (const key of ['useFactory', 'onStart', 'onStop', 'healthCheck'] as const) {
    // a caller's replacement (`{ ...redis(...), onStart }`) is theirs: only the provider's own hooks move
    if (providerHooks.has(out[key] as object)) out[key] = rebound[key];
  }
  return out as D;
}

/** Calls a provider's `config` function; what it throws becomes `InvalidConfig` (its message is not shown: it may hold a secret). */
function callConfig<C>(name: string, given: () => Partial<C>): Partial<C> {
  let out: unknown;
  try {
    out = given();
  } catch (error) {
    throw new BandmasterError('InvalidConfig', { service: name, detail: '  - config: the config function threw (see `cause`); make it return the configuration object', cause: error });
  }
  if (typeof out !== 'object' || out === null) {
    throw new BandmasterError('InvalidConfig', { service: name, detail: `  - config: the config function returned ${out === null ? 'null' : typeof out}; make it return the configuration object` });
  }
  return out;
}

/** The hooks `defineProvider` made: the ones {@link bindProviderLogger} may replace. */
const providerHooks = new WeakSet<object>();

/** The provider (`sql`, `redis`...) of each factory `defineProvider` made. */
const providerKinds = new WeakMap<object, string>();

/**
 * Which provider made a registration's factory (`spec.provides`): `'sql'`, `'redis'`...; undefined
 * for anything else. The fleet options ask it of their lock service.
 *
 * @internal
 */
export function providerKind(provides: unknown): string | undefined {
  return typeof provides === 'function' ? providerKinds.get(provides) : undefined;
}

const SILENT: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** A logger that asks `getLog` at each line, so a logger replaced later (`setGlobalLogger`) is used. */
function lazyLogger(getLog: () => Logger | false): Logger {
  const at =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): unknown => {
      const target = getLog() || SILENT;
      return target[level](message, fields);
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/**
 * Reads env (when `options.env` is set), applies `options.config`, validates the result.
 *
 * @throws BandmasterError `InvalidConfig` naming each bad field: unknown keys (a typo such as
 * `passwrod`), keys that would shadow a method (`toString`), and values breaking a rule, secrets
 * masked.
 */
export function resolveConfig<C extends object>(configClass: Constructor<C>, options: { readonly name: string; readonly env?: string | undefined; readonly config?: Partial<C> | undefined }): C {
  const config = options.env ? loadEnv(configClass, options.env) : new configClass();
  if (!options.config) return config;
  const known = new Set(Object.keys(config));
  const fields = classValidator().getMetadataStorage().getTargetValidationMetadatas(configClass, '', true, false);
  for (const f of fields) known.add(f.propertyName);
  const bad: string[] = [];
  for (const key of Object.keys(options.config)) {
    // `__proto__`, `constructor` would swap the prototype; `toString`, `toJSON` would shadow a method
    if (!known.has(key) || FORBIDDEN_KEYS.has(key) || typeof (config as Record<string, unknown>)[key] === 'function') bad.push(key);
  }
  if (bad.length > 0) {
    const knownList = [...known].filter((k) => !FORBIDDEN_KEYS.has(k)).sort().join(', ');
    const lines = bad.map((key) => `  - config.${clip(key)}: not a configuration field of ${configClass.name}; remove it or use one of: ${knownList}`);
    throw new BandmasterError('InvalidConfig', { service: options.name, detail: lines.join('\n'), variables: bad.map((k) => `config.${clip(k)}`) });
  }
  for (const [key, value] of Object.entries(options.config)) (config as Record<string, unknown>)[key] = value;
  let errors;
  try {
    errors = classValidator().validateSync(config, { forbidUnknownValues: false });
  } catch {
    // a value whose `toString` (or getter) throws, met by a validator
    const culprits = Object.keys(options.config).filter((k) => !renders((options.config as Record<string, unknown>)[k]));
    throw new BandmasterError('InvalidConfig', {
      service: options.name,
      detail: culprits.map((k) => `  - config.${k}: a value that cannot be read as text; give a plain string, number or boolean`).join('\n') || '  - config: a value that cannot be validated',
      variables: culprits.map((k) => `config.${k}`),
    });
  }
  if (errors.length > 0) {
    const shown = maskSecrets(config);
    const lines = errors.map((e) => `  - config.${e.property}=${renderShown(shown[e.property], fieldIsSecret(shown, e.property, config))}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new BandmasterError('InvalidConfig', { service: options.name, detail: lines.join('\n'), variables: errors.map((e) => `config.${e.property}`) });
  }
  return clampDurations(config);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function fieldIsSecret(shown: Record<string, unknown>, key: string, config: object): boolean {
  return shown[key] === '****' && (config as Record<string, unknown>)[key] !== '****';
}

function renderShown(value: unknown, secret: boolean): string {
  if (secret) return '****';
  return showValue(value, (v) => (renders(v) ? String(v) : describeValue(v)));
}

function renders(value: unknown): boolean {
  try {
    String(value);
    return true;
  } catch {
    return false;
  }
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
