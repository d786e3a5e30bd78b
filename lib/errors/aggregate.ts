import type { LifecycleReport } from '../ops/report';
import { hasBrand, type BandmasterError } from './bandmaster-error';
import { describeCause } from './render';

const BOOT_BRAND: unique symbol = Symbol.for('bandmaster:boot-error') as never;
const SHUTDOWN_BRAND: unique symbol = Symbol.for('bandmaster:shutdown-error') as never;

/**
 * Thrown (as a rejection) by `startAll` when validation failed or a required service failed to start.
 * `errors` holds every {@link BandmasterError}; `report` the state of every service. Recognised by
 * a `Symbol.for` brand, so `instanceof` agrees across two copies of the library.
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

  /** True for a {@link BootError} of any copy of the library. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== BootError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, BOOT_BRAND);
  }
}
Object.defineProperty(BootError.prototype, BOOT_BRAND, { value: true });

/** Thrown (as a rejection) by `stopAll` when a service failed to stop. Branded like {@link BootError}. */
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

  /** True for a {@link ShutdownError} of any copy of the library. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ShutdownError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, SHUTDOWN_BRAND);
  }
}
Object.defineProperty(ShutdownError.prototype, SHUTDOWN_BRAND, { value: true });

/** The first ten messages, each bounded, and a count of the rest. */
function summarize(what: string, errors: readonly BandmasterError[]): string {
  const lines = errors.slice(0, 10).map((e) => `  - ${describeCause(e)}`);
  if (errors.length > 10) lines.push(`  - ...and ${errors.length - 10} more`);
  return `${what} (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}
