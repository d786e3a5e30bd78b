import type { LifecycleOptions } from '../../decorators/metadata';
import { BandmasterError, describeValue } from '../errors';

/**
 * Checks the supervision options of a registration: `restart` ({ maxRestarts, withinMs, backoff? })
 * and `healthFailures`. `invalid` throws `InvalidDefinition`; `backoff` checks `restart.backoff`.
 */
export function checkSupervision(
  name: string,
  o: LifecycleOptions,
  invalid: (service: string, detail: string) => never,
  backoff: (service: string, value: LifecycleOptions['backoff'], field: string) => void,
): void {
  const f = o.healthFailures;
  if (f !== undefined && !(Number.isInteger(f) && f >= 1)) invalid(name, `\`healthFailures\` must be an integer >= 1, got ${describeValue(f)}`);
  const r = o.restart;
  if (r === undefined) return;
  if (typeof r !== 'object' || r === null) invalid(name, `\`restart\` must be { maxRestarts, withinMs, backoff? }, got ${describeValue(r)}`);
  if (!(Number.isInteger(r.maxRestarts) && r.maxRestarts >= 0)) invalid(name, `\`restart.maxRestarts\` must be an integer >= 0, got ${describeValue(r.maxRestarts)}`);
  if (!(typeof r.withinMs === 'number' && r.withinMs > 0)) invalid(name, `\`restart.withinMs\` must be a number of ms > 0, got ${describeValue(r.withinMs)}`);
  backoff(name, r.backoff, 'restart.backoff');
}

/** The supervision options of `new Container()`. */
export interface SupervisionOptions {
  /** Poll the health checks of started services every this many ms; default: never. */
  readonly healthInterval?: number;
  /** Consecutive failed polls that mark a service lost; default 3 (a service may override it). */
  readonly healthFailures?: number;
  /** Time limit of each polled check in ms; default 1000. */
  readonly healthTimeout?: number;
}

/**
 * The health poll's settings from the container options; undefined without `healthInterval`.
 *
 * @throws BandmasterError `InvalidArgument` naming the option.
 */
export function healthPollOptions(o: SupervisionOptions): { interval: number; failures: number; timeout: number } | undefined {
  const bad = (option: string, want: string, got: unknown): never => {
    throw new BandmasterError('InvalidArgument', { service: 'new Container()', detail: `${option} must be ${want}, got ${describeValue(got)}` });
  };
  const { healthInterval: interval, healthFailures: failures = 3, healthTimeout: timeout = 1_000 } = o;
  if (interval !== undefined && !(typeof interval === 'number' && interval > 0 && Number.isFinite(interval))) bad('healthInterval', 'a number of ms > 0', interval);
  if (!(Number.isInteger(failures) && failures >= 1)) bad('healthFailures', 'an integer >= 1', failures);
  if (!(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) bad('healthTimeout', 'a number of ms > 0', timeout);
  return interval === undefined ? undefined : { interval, failures, timeout };
}
