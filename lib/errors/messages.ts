import type { BandmasterError, BandmasterErrorFields, ErrorKind } from './bandmaster-error';
import { cut, describeCause, describeValue } from './render';

/** Longest service, dependency or argument name shown in a message. */
const MAX_NAME = 200;
/** Longest `detail` shown in a message (an `InvalidConfig` list of every bad variable fits). */
const MAX_DETAIL = 8_000;
/** A cycle longer than this shows its first and last names around a count. */
const MAX_CYCLE_SHOWN = 16;

/**
 * The message of a {@link BandmasterError}: one exhaustive switch, bounded, and total (a field
 * that cannot be rendered gives a fallback, never a throw).
 */
export function renderMessage(kind: ErrorKind, fields: BandmasterErrorFields, rootCause: BandmasterError | undefined): string {
  try {
    return render(kind, fields, rootCause);
  } catch {
    return `${describeValue(kind)}: ${describeCause(fields.cause)}`;
  }
}

function render(kind: ErrorKind, f: BandmasterErrorFields, rootCause: BandmasterError | undefined): string {
  const s = name(f.service);
  const cause = f.cause === undefined ? '' : `: ${describeCause(f.cause)}`;
  const detail = f.detail ? ` (${cut(String(f.detail), MAX_DETAIL)})` : '';
  switch (kind) {
    case 'ServiceAlreadyExists':
      return `${s}: service already exists${detail}`;
    case 'ServiceWithoutDecorator':
      return `${s}: class is not decorated with @Service()${detail}`;
    case 'ServiceDependsOnItself':
      return `${s}: service depends on its own self`;
    case 'ServiceDuplicateDependency':
      return `${s}: service has duplicate dependency ${name(f.dependency)}`;
    case 'DependencyMissing':
      return `${s}: no such dependency: ${name(f.dependency)}${detail}`;
    case 'DependencyCircular':
      return `${s}: circular dependencies: ${cyclePath(f.cycle ?? [])}`;
    case 'DependencyUnavailable':
      return unavailable(s, f, rootCause, cause);
    case 'ParentUnavailable':
      return `${s}: parent ${name(f.parent)} failed to stop${cause}`;
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
      return `${s}: invalid configuration${detail ? `:\n${cut(String(f.detail), MAX_DETAIL)}` : ''}`;
    case 'InvalidDefinition':
      return `${s}: invalid definition${detail}`;
    case 'InvalidArgument':
      return invalidArgument(f);
    case 'ScopeMismatch':
      return `${s}: singleton depends on ${name(f.dependency)}, which only a scope has${detail}`;
    default:
      return assertNever(kind);
  }
}

/**
 * A dependency that failed by itself is named with its cause; one that was itself unavailable
 * names the root cause once, so a chain of N services does not nest N messages.
 */
function unavailable(s: string, f: BandmasterErrorFields, rootCause: BandmasterError | undefined, cause: string): string {
  const dependency = name(f.dependency);
  const viaChain = rootCause !== undefined && rootCause !== f.cause;
  if (!viaChain) return `${s}: dependency ${dependency} failed to start${cause}`;
  return `${s}: dependency ${dependency} unavailable (root cause: ${describeCause(rootCause)})`;
}

function invalidArgument(f: BandmasterErrorFields): string {
  const where = f.service ? ` to ${cut(String(f.service), MAX_NAME)}` : '';
  const argument = f.argument ? ` \`${cut(String(f.argument), MAX_NAME)}\`` : '';
  return `invalid argument${argument}${where}: ${f.detail ? cut(String(f.detail), MAX_DETAIL) : '?'}`;
}

/** `A -> B -> C -> A`; a long cycle keeps its ends and counts the middle (the field holds all of it). */
function cyclePath(cycle: readonly string[]): string {
  if (cycle.length <= MAX_CYCLE_SHOWN) return cycle.map((n) => cut(String(n), MAX_NAME)).join(' -> ');
  const head = cycle.slice(0, 10).map((n) => cut(String(n), MAX_NAME));
  const tail = cycle.slice(-4).map((n) => cut(String(n), MAX_NAME));
  return `${head.join(' -> ')} -> …${cycle.length - 14} more… -> ${tail.join(' -> ')} (${cycle.length - 1} services)`;
}

function name(value: string | undefined): string {
  return `\`${value === undefined ? '?' : cut(String(value), MAX_NAME)}\``;
}

function assertNever(kind: never): never {
  throw new TypeError(`unknown error kind: ${String(kind)}`);
}
