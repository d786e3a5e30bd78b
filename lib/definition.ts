import type { LifecycleOptions } from '../decorators/metadata';
import type { AbstractConstructor, Constructor, DependencyEntry, DependencyToken, InjectionToken, ServiceScope, Token } from './tokens';

/** A dependency of a factory: a token, or a token marked optional (`optional(token)` or `{ token, optional: true }`). */
export type FactoryDependency = DependencyEntry;

/** Hooks a plain definition may give for the object it provides. */
export interface DefinitionHooks<T> {
  /** Runs after creation, as part of the start attempt. */
  readonly onStart?: (instance: T, signal: AbortSignal) => unknown;
  /** Runs on stop. */
  readonly onStop?: (instance: T, signal: AbortSignal) => unknown;
  /** Runs on `container.health()`. */
  readonly healthCheck?: (instance: T, signal: AbortSignal) => unknown;
}

/** What every plain definition has: a name, lifecycle options, start-order dependencies. */
export interface DefinitionBase<T> extends LifecycleOptions, DefinitionHooks<T> {
  /**
   * The name (or symbol, or typed token) the service is registered and injected under; or a class,
   * abstract ones included: parameters typed with it get what this definition provides.
   */
  readonly name: string | symbol | Token<T> | AbstractConstructor<T>;
  /** Start-order dependencies, not injected (always required). */
  readonly dependsOn?: readonly InjectionToken[];
}

/** Provides an existing object. It is not probed for hooks. */
export interface ValueDefinition<T> extends DefinitionBase<T> {
  /** The object itself, the same for every start. */
  readonly useValue: T;
}

/** Provides what a (possibly async) factory returns, called with its started dependencies. */
export interface FactoryDefinition<T> extends DefinitionBase<T> {
  /**
   * Creates the object from the started `deps`, in order, followed by the start attempt's
   * `AbortSignal` (honour it in an async factory that does I/O); may be async: its promise is
   * part of the start attempt.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly useFactory: (...deps: any[]) => T | Promise<T>;
  /** Dependencies passed to the factory, in order. */
  readonly deps?: readonly FactoryDependency[];
}

/** Provides an instance of a `@Service` class, registered under another name. */
export interface ClassDefinition<T> extends DefinitionBase<T> {
  /** A class constructed like a `@Service` class, its hooks included. */
  readonly useClass: Constructor<T>;
}

/** A plain definition: value, factory or class. Providers return one of these. */
export type Definition<T = unknown> = ValueDefinition<T> | FactoryDefinition<T> | ClassDefinition<T>;

/** A definition of any type, as `register` takes it (hooks are contravariant in `T`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDefinition = Definition<any>;

/** What `override()` accepts: a replacement value, class or factory, with optional options. */
export type Override<T = unknown> =
  | (Partial<LifecycleOptions> &
      DefinitionHooks<T> & {
        /** The replacement object (not probed for hooks). */
        readonly useValue: T;
      })
  | (Partial<LifecycleOptions> &
      DefinitionHooks<T> & {
        /** The replacement class (its hooks run). */
        readonly useClass: Constructor<T>;
      })
  | (Partial<LifecycleOptions> &
      DefinitionHooks<T> & {
        /** Creates the replacement from the started `deps`, in order, then the attempt's `AbortSignal`; may be async. */
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        readonly useFactory: (...deps: any[]) => T | Promise<T>;
        /** Dependencies passed to the factory, in order. */
        readonly deps?: readonly FactoryDependency[];
      });

type Hook = (instance: unknown, signal: AbortSignal) => unknown;

/** A registration, normalized: what the graph and the lifecycle work from. */
export interface ServiceSpec {
  readonly name: string;
  /** The registry key that names it: its name, or the symbol it was registered under. */
  readonly key: string | symbol;
  /** Further registry keys that resolve to it (its class, a token it overrides); mostly none, and then a shared empty list. */
  readonly aliases: readonly (string | symbol | Constructor)[];
  /** Its dependencies: the injected ones (constructor or factory parameters) first, then `dependsOn`. */
  readonly depTokens: readonly DependencyToken[];
  /** Indices into `depTokens` of the optional dependencies, ascending; undefined when none. */
  readonly optionalDeps: readonly number[] | undefined;
  /** How many leading `depTokens` are injected. */
  readonly injectCount: number;
  readonly required: boolean;
  readonly retries: number;
  readonly backoff: LifecycleOptions['backoff'];
  readonly startTimeout?: number;
  readonly stopTimeout?: number;
  /** Its supervision policy, if any. */
  readonly restart?: LifecycleOptions['restart'];
  /** Its own `healthFailures`, if any. */
  readonly healthFailures?: number;
  /** What the spec provides: the factory, the class or the value that `create` turns into an instance. */
  readonly provides: unknown;
  /**
   * Creates the instance from the injected dependencies. One shared function per kind, reading
   * `spec.provides`: a closure per service would cost ~90 B of heap.
   */
  readonly create: (spec: ServiceSpec, args: unknown[], signal: AbortSignal) => unknown;
  readonly onStart?: Hook;
  readonly onStop?: Hook;
  readonly healthCheck?: Hook;
  /** Hooks come from the instance (a `@Service` class) rather than the definition. */
  readonly instanceHooks: boolean;
  /** How long an instance lives. */
  readonly scope: ServiceScope;
  /** Registry keys of its tags, in the order given; a shared empty list when none. */
  readonly tags: readonly (string | symbol | Constructor)[];
}
