import { renderMessage } from './messages';

/**
 * Every kind of {@link BandmasterError}, as a readable string (after the Go original's `ErrorKind`).
 */
export type ErrorKind =
  | 'ServiceAlreadyExists'
  | 'ServiceWithoutDecorator'
  | 'ServiceDependsOnItself'
  | 'ServiceDuplicateDependency'
  | 'DependencyMissing'
  | 'DependencyCircular'
  | 'DependencyUnavailable'
  | 'ParentUnavailable'
  | 'ServiceStartFailure'
  | 'ServiceStopFailure'
  | 'ServiceUnknown'
  | 'ServiceNotStarted'
  | 'MetadataMissing'
  | 'InvalidConfig'
  | 'InvalidDefinition'
  | 'InvalidArgument'
  | 'ScopeMismatch';

/**
 * Structured fields of a {@link BandmasterError}; which ones are set depends on its kind. Declared
 * here once: the error class carries each of them (except `cause`, which `Error` declares) under
 * the same name.
 */
export interface BandmasterErrorFields {
  /** Name of the service the error is about (the variable prefix for `InvalidConfig`, the method for `InvalidArgument`). */
  readonly service?: string;
  /** Name of the dependency that is missing, unavailable or listed twice (`ScopeMismatch`: the scoped service or scope value). */
  readonly dependency?: string;
  /** `ParentUnavailable`: name of the dependent that failed to stop. */
  readonly parent?: string;
  /** `DependencyCircular`: the whole cycle, first name repeated last: `['A', 'D', 'B', 'A']` (the message shows a bounded part). */
  readonly cycle?: readonly string[];
  /** Attempts made before giving up (start and stop failures). */
  readonly attempts?: number;
  /** Free-form detail: the fix for misuse, the bad variables for `InvalidConfig`. */
  readonly detail?: string;
  /** `InvalidConfig`: full names of the bad environment variables. */
  readonly variables?: readonly string[];
  /** `InvalidArgument`: the name of the argument that is wrong, such as `token` or `options.timeout`. */
  readonly argument?: string;
  /**
   * `DependencyUnavailable`: the failure at the end of the chain of unavailable dependencies (the
   * first service that failed by itself). Set by the constructor from `cause`; the chain itself is
   * the `cause` links, each naming its `dependency` (see {@link dependencyChain}).
   */
  readonly rootCause?: BandmasterError;
  /** The underlying error. */
  readonly cause?: unknown;
}

type OwnFields = Omit<BandmasterErrorFields, 'cause'>;

const FIELD_NAMES = ['service', 'dependency', 'parent', 'cycle', 'attempts', 'detail', 'variables', 'argument'] as const satisfies readonly (keyof OwnFields)[];

/** The brand every copy of bandmaster puts on its errors: `instanceof` across copies checks it. */
const ERROR_BRAND: unique symbol = Symbol.for('bandmaster:error') as never;

// The class carries the fields of the interface: they are declared once, in BandmasterErrorFields.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface BandmasterError extends OwnFields {}

/**
 * The one error class of bandmaster. Branch on `kind`, read the structured fields. Recognised by a
 * `Symbol.for('bandmaster:error')` brand, so `instanceof BandmasterError` and
 * {@link isBandmasterError} agree across two copies of the library in one process. Constructing
 * one never throws, whatever its `cause` is, and its message is bounded.
 *
 * @example
 * ```ts
 * if (isBandmasterError(err, 'DependencyMissing')) {
 *   console.error(`${err.service} needs ${err.dependency}`);
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class BandmasterError extends Error {
  /** Always `'BandmasterError'`. */
  override readonly name = 'BandmasterError';
  /** What went wrong: branch on it. */
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, fields: BandmasterErrorFields = {}) {
    const rootCause = kind === 'DependencyUnavailable' ? rootOf(fields.cause) : undefined;
    super(renderMessage(kind, fields, rootCause), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.kind = kind;
    const self = this as { -readonly [K in keyof OwnFields]?: unknown };
    for (const key of FIELD_NAMES) if (fields[key] !== undefined) self[key] = fields[key];
    if (rootCause !== undefined) self.rootCause = rootCause;
  }

  /** True for a {@link BandmasterError} of any copy of the library (subclasses keep `instanceof`). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== BandmasterError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, ERROR_BRAND);
  }
}
Object.defineProperty(BandmasterError.prototype, ERROR_BRAND, { value: true });

/** True when `err` is a {@link BandmasterError} (of any copy of bandmaster), optionally of the given kind. */
export function isBandmasterError(err: unknown, kind?: ErrorKind): err is BandmasterError {
  if (!hasBrand(err, ERROR_BRAND)) return false;
  return kind === undefined || (err as BandmasterError).kind === kind;
}

/**
 * The services of a chain of `DependencyUnavailable` errors, from the error's own service to the
 * one that failed by itself: `['mc-1', 'rd-1', 'mc-2']`. O(length of the chain).
 */
export function dependencyChain(error: BandmasterError): string[] {
  const chain: string[] = [];
  let current: unknown = error;
  while (isBandmasterError(current, 'DependencyUnavailable')) {
    if (chain.length === 0 && current.service !== undefined) chain.push(current.service);
    if (current.dependency !== undefined) chain.push(current.dependency);
    current = current.cause;
  }
  return chain;
}

/** Whether `value` carries `brand` (own or inherited); total, even for a revoked proxy. */
export function hasBrand(value: unknown, brand: symbol): boolean {
  try {
    return (typeof value === 'object' || typeof value === 'function') && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  } catch {
    return false;
  }
}

/** The first failure of a dependency chain: the cause's own root, or the cause when it failed by itself. */
function rootOf(cause: unknown): BandmasterError | undefined {
  if (!isBandmasterError(cause)) return undefined;
  return cause.kind === 'DependencyUnavailable' ? (cause.rootCause ?? undefined) : cause;
}
