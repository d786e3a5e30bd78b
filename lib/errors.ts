import type { LifecycleReport } from './report';

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
  | 'InvalidArgument';

/** Structured fields of a {@link BandmasterError}; which ones are set depends on its kind. */
export interface BandmasterErrorFields {
  /** Name of the service the error is about. */
  readonly service?: string;
  /** Name of the dependency that is missing or unavailable. */
  readonly dependency?: string;
  /** Name of the dependent (parent) that failed to stop. */
  readonly parent?: string;
  /** A dependency cycle, first name repeated last: `['A', 'D', 'B', 'A']`. */
  readonly cycle?: readonly string[];
  /** How many attempts were made before giving up. */
  readonly attempts?: number;
  /** Free-form detail: the fix for misuse, the list of bad variables for `InvalidConfig`. */
  readonly detail?: string;
  /** `InvalidConfig`: full names of the environment variables that are wrong. */
  readonly variables?: readonly string[];
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * The one error class of bandmaster. Branch on `kind`, read the structured fields.
 *
 * @example
 * ```ts
 * if (err instanceof BandmasterError && err.kind === 'DependencyMissing') {
 *   console.error(`${err.service} needs ${err.dependency}`);
 * }
 * ```
 */
export class BandmasterError extends Error {
  /** Always `'BandmasterError'`. */
  override readonly name = 'BandmasterError';
  /** What went wrong: branch on it. */
  readonly kind: ErrorKind;
  /** Name of the service the error is about (the variable prefix for `InvalidConfig`). */
  readonly service?: string;
  /** Name of the dependency that is missing, unavailable or listed twice. */
  readonly dependency?: string;
  /** `ParentUnavailable`: name of the dependent that failed to stop. */
  readonly parent?: string;
  /** `DependencyCircular`: the cycle, first name repeated last: `['A', 'D', 'B', 'A']`. */
  readonly cycle?: readonly string[];
  /** Attempts made before giving up (start and stop failures). */
  readonly attempts?: number;
  /** Free-form detail: the fix for misuse, the bad variables for `InvalidConfig`. */
  readonly detail?: string;
  /** `InvalidConfig`: full names of the bad environment variables. */
  readonly variables?: readonly string[];

  constructor(kind: ErrorKind, fields: BandmasterErrorFields = {}) {
    super(renderMessage(kind, fields), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.kind = kind;
    if (fields.service !== undefined) this.service = fields.service;
    if (fields.dependency !== undefined) this.dependency = fields.dependency;
    if (fields.parent !== undefined) this.parent = fields.parent;
    if (fields.cycle !== undefined) this.cycle = fields.cycle;
    if (fields.attempts !== undefined) this.attempts = fields.attempts;
    if (fields.detail !== undefined) this.detail = fields.detail;
    if (fields.variables !== undefined) this.variables = fields.variables;
  }
}

/** True when `err` is a {@link BandmasterError}, optionally of the given kind. */
export function isBandmasterError(err: unknown, kind?: ErrorKind): err is BandmasterError {
  return err instanceof BandmasterError && (kind === undefined || err.kind === kind);
}

/**
 * Thrown (as a rejection) by `startAll` when validation failed or a required service failed to start.
 * `errors` holds every {@link BandmasterError}; `report` the state of every service.
 */
export class BootError extends AggregateError {
  /** Always `'BootError'`. */
  override readonly name = 'BootError';
  /** Every error of the boot: validation errors, or the failures of its services. */
  declare readonly errors: BandmasterError[];
  /** State, attempts, timings and error of every service. */
  readonly report: LifecycleReport;

  constructor(errors: BandmasterError[], report: LifecycleReport) {
    super(errors, summarize('boot failed', errors));
    this.report = report;
  }
}

/** Thrown (as a rejection) by `stopAll` when a service failed to stop. */
export class ShutdownError extends AggregateError {
  /** Always `'ShutdownError'`. */
  override readonly name = 'ShutdownError';
  /** Every stop failure of the shutdown. */
  declare readonly errors: BandmasterError[];
  /** State, attempts, timings and error of every service. */
  readonly report: LifecycleReport;

  constructor(errors: BandmasterError[], report: LifecycleReport) {
    super(errors, summarize('shutdown failed', errors));
    this.report = report;
  }
}

function summarize(what: string, errors: readonly BandmasterError[]): string {
  const lines = errors.slice(0, 10).map((e) => `  - ${e.message}`);
  if (errors.length > 10) lines.push(`  - ...and ${errors.length - 10} more`);
  return `${what} (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** Renders an error cause as one line, without stack. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    if (cause instanceof AggregateError && cause.errors.length > 0 && !cause.message) {
      return cause.errors.map(describeCause).join('; ');
    }
    return cause.message || cause.name;
  }
  if (typeof cause === 'string') return cause;
  return describeValue(cause);
}

/**
 * Renders a value for a message, as a caller would write it: `NaN` and `Infinity` as such (JSON
 * has them as `null`), a string quoted, a function by its name.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol' || value === undefined) return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function renderMessage(kind: ErrorKind, f: BandmasterErrorFields): string {
  const s = `\`${f.service ?? '?'}\``;
  const cause = f.cause === undefined ? '' : `: ${describeCause(f.cause)}`;
  const detail = f.detail ? ` (${f.detail})` : '';
  switch (kind) {
    case 'ServiceAlreadyExists':
      return `${s}: service already exists${detail}`;
    case 'ServiceWithoutDecorator':
      return `${s}: class is not decorated with @Service()${detail}`;
    case 'ServiceDependsOnItself':
      return `${s}: service depends on its own self`;
    case 'ServiceDuplicateDependency':
      return `${s}: service has duplicate dependency \`${f.dependency ?? '?'}\``;
    case 'DependencyMissing':
      return `${s}: no such dependency: \`${f.dependency ?? '?'}\`${detail}`;
    case 'DependencyCircular':
      return `${s}: circular dependencies: ${(f.cycle ?? []).join(' -> ')}`;
    case 'DependencyUnavailable':
      return `${s}: dependency \`${f.dependency ?? '?'}\` failed to start${cause}`;
    case 'ParentUnavailable':
      return `${s}: parent \`${f.parent ?? '?'}\` failed to stop${cause}`;
    case 'ServiceStartFailure':
      return `${s}: service failed to start${cause}`;
    case 'ServiceStopFailure':
      return `${s}: service failed to stop${cause}`;
    case 'ServiceUnknown':
      return `${s}: no such service is registered${detail}`;
    case 'ServiceNotStarted':
      return `${s}: service is not started${detail}`;
    case 'MetadataMissing':
      return `${s}: constructor parameter types are unknown${detail}`;
    case 'InvalidConfig':
      return `${s}: invalid configuration${detail ? `:\n${f.detail}` : ''}`;
    case 'InvalidDefinition':
      return `${s}: invalid definition${detail}`;
    case 'InvalidArgument':
      return `invalid argument${f.service ? ` to ${f.service}` : ''}: ${f.detail ?? '?'}`;
    default:
      return assertNever(kind);
  }
}

function assertNever(kind: never): never {
  throw new TypeError(`unknown error kind: ${String(kind)}`);
}
