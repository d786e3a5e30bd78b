import { describeCause, type BandmasterError } from '../errors';
import { STATES, TIMES, type NodeTable, type ServiceNode, type ServiceState } from '../lifecycle/node';

/** One service in a {@link LifecycleReport} or in `status()`. */
export interface ServiceReport {
  /** Service name. */
  readonly name: string;
  /** Its lifecycle state when the report was made. */
  readonly state: ServiceState;
  /** Its start failure fails the boot. */
  readonly required: boolean;
  /** Attempts of the last start (boot report) or stop (shutdown report). */
  readonly attempts: number;
  /** Time spent waiting for dependencies, in ms (start only). */
  readonly waitedMs: number;
  /** Time from first attempt to settling, in ms. */
  readonly durationMs: number;
  /** Why it failed, if it did. */
  readonly error?: BandmasterError;
  /** How many times it was restarted (`status()` only; absent when never). */
  readonly restarts?: number;
  /** Its current instance is lost and not restarted yet (`status()` only; absent when not). */
  readonly lost?: boolean;
}

/**
 * What a report keeps of each service until its `services` are read: a few numbers per service
 * in typed arrays, no objects (a boot of 10,000 services would otherwise build 10,000 reports
 * that most callers never look at).
 */
class Snapshot {
  /** Names rather than nodes: a kept report must not keep the services' instances alive. */
  readonly #names: string[];
  readonly #required: Uint8Array;
  /** Copies of the table's columns (a block copy each, no per-service reads). */
  readonly #states: Uint8Array;
  readonly #attempts: Int32Array;
  readonly #times: Float64Array;
  readonly #phase: 'start' | 'stop';
  /** The services that have an error, and their errors. */
  readonly #errors: [number, BandmasterError][] = [];

  constructor(table: NodeTable, phase: 'start' | 'stop') {
    const { nodes } = table;
    const n = nodes.length;
    this.#phase = phase;
    this.#states = table.state.slice(0, n);
    this.#attempts = (phase === 'start' ? table.attempts : table.stopAttempts).slice(0, n);
    this.#times = table.times.slice(0, TIMES * n);
    this.#names = new Array<string>(n);
    this.#required = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const node = nodes[i]!;
      const spec = node.spec;
      this.#names[i] = spec.name;
      if (spec.required) this.#required[i] = 1;
      if (node.error) this.#errors.push([i, node.error]);
    }
  }

  services(): ServiceReport[] {
    const out: ServiceReport[] = new Array(this.#names.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = {
        name: this.#names[i]!,
        state: STATES[this.#states[i]!]!,
        required: this.#required[i] === 1,
        attempts: this.#attempts[i]!,
        waitedMs: waitedOf(this.#phase, this.#attempts[i]!, this.#times, TIMES * i),
        durationMs: durationOf(this.#phase, this.#attempts[i]!, this.#times, TIMES * i),
      };
    }
    for (const [i, error] of this.#errors) out[i] = { ...out[i]!, error };
    return out;
  }
}

let attach: (report: LifecycleReport, snapshot: Snapshot) => void;

/** What `startAll` and `stopAll` resolve to, and what `BootError`/`ShutdownError` carry. */
export class LifecycleReport {
  #services: readonly ServiceReport[] | undefined;
  #snapshot: Snapshot | undefined;
  /** Every error of the run, optional services' included. */
  readonly errors: readonly BandmasterError[];
  /** Duration of the run, in ms. */
  readonly durationMs: number;

  constructor(services: readonly ServiceReport[], errors: readonly BandmasterError[], durationMs: number) {
    this.#services = services;
    this.errors = errors;
    this.durationMs = durationMs;
  }

  static {
    attach = (report, snapshot) => {
      report.#snapshot = snapshot;
      report.#services = undefined;
    };
  }

  /** Every registered service, as it was when the report was made. */
  get services(): readonly ServiceReport[] {
    if (this.#services === undefined) {
      this.#services = this.#snapshot!.services();
      this.#snapshot = undefined;
    }
    return this.#services;
  }

  /** What `console.log` and `util.inspect` show: the services too, though they are built on demand. */
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return { services: this.services, errors: this.errors, durationMs: this.durationMs };
  }

  /** The report as a table, one service per line. */
  toString(): string {
    const header = ['service', 'state', 'required', 'attempts', 'waited', 'took', 'error'];
    const rows = this.services.map((s) => [
      s.name,
      s.state,
      s.required ? 'yes' : 'no',
      String(s.attempts),
      `${Math.round(s.waitedMs)}ms`,
      `${Math.round(s.durationMs)}ms`,
      s.error ? describeCause(s.error.cause ?? s.error) : '',
    ]);
    // a loop, not Math.max(...column): spreading 130,000 rows overflows the call stack
    const widths = header.map((h) => h.length);
    for (const row of rows) for (let i = 0; i < row.length; i++) if (row[i]!.length > widths[i]!) widths[i] = row[i]!.length;
    const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    const total = `${plural(this.services.length, 'service')}, ${plural(this.errors.length, 'error')}, ${Math.round(this.durationMs)}ms`;
    return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt), total].join('\n');
  }

  /** A plain object for JSON logs: errors as messages. */
  toJSON(): object {
    return {
      durationMs: this.durationMs,
      services: this.services.map((s) => ({ ...s, error: s.error?.message })),
      errors: this.errors.map((e) => ({ kind: e.kind, service: e.service, message: e.message })),
    };
  }
}

/** The report of every node as it is now; the per-service objects are built when first read. */
export function lifecycleReport(table: NodeTable, phase: 'start' | 'stop', errors: readonly BandmasterError[], durationMs: number): LifecycleReport {
  const report = new LifecycleReport([], errors, durationMs);
  attach(report, new Snapshot(table, phase));
  return report;
}

/** Snapshot of one node for a report. */
export function reportService(node: ServiceNode, phase: 'start' | 'stop'): ServiceReport {
  const attempts = phase === 'start' ? node.attempts : node.stopAttempts;
  const at = TIMES * node.index;
  const report: ServiceReport = {
    name: node.name,
    state: node.state,
    required: node.spec.required,
    attempts,
    waitedMs: waitedOf(phase, attempts, node.table.times, at),
    durationMs: durationOf(phase, attempts, node.table.times, at),
  };
  return node.error ? { ...report, error: node.error } : report;
}

/**
 * Waited ms from a service's times at `at` (queued, first attempt, settled, stop ms) and its
 * attempts in the phase; attempts, not the attempt time, tell whether it began: an injected
 * clock may well read 0 at the first attempt.
 */
function waitedOf(phase: 'start' | 'stop', attempts: number, times: Float64Array, at: number): number {
  if (phase !== 'start') return 0;
  const queued = times[at]!;
  const attemptAt = times[at + 1]!;
  const settled = times[at + 2]!;
  const started = attempts > 0;
  return started || settled > 0 ? Math.max(0, (started ? attemptAt : settled) - queued) : 0;
}

function durationOf(phase: 'start' | 'stop', attempts: number, times: Float64Array, at: number): number {
  if (phase === 'stop') return times[at + 3]!;
  const attemptAt = times[at + 1]!;
  const settled = times[at + 2]!;
  return attempts > 0 && settled >= attemptAt ? settled - attemptAt : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
