import type { ServiceSpec } from '../definition';
import { describeCause, type BandmasterError } from '../errors';
import { boundedPath, cut } from '../errors/render';
import { STATES, TIMES, type NodeTable, type ServiceNode, type ServiceState } from '../lifecycle/node';
import { describeToken } from '../tokens';

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
  /** The tags it carries, by name; absent when it has none. */
  readonly tags?: readonly string[];
  /** How many times it was restarted (`status()` only; absent when never). */
  readonly restarts?: number;
  /** Its current instance is lost and not restarted yet (`status()` only; absent when not). */
  readonly lost?: boolean;
}

/**
 * A transient or scoped service in a {@link LifecycleReport} or a timeline: built on demand
 * (by a scope, or for each injection), never booted, so it has no state, attempts or timings.
 */
export interface OnDemandService {
  /** Service name. */
  readonly name: string;
  /** How long its instances live. */
  readonly scope: 'transient' | 'scoped';
  /** The tags it carries, by name (empty when none). */
  readonly tags: readonly string[];
}

/** The transient and scoped services of a registry, in registration order, as plain data. */
export function onDemandOf(specs: readonly ServiceSpec[]): OnDemandService[] {
  return specs.map((spec) => ({ name: spec.name, scope: spec.scope as OnDemandService['scope'], tags: spec.tags.map(describeToken) }));
}

/** A service's name with its tags, `http [plugin, route]`, the tags bounded; the name alone without tags. */
export function nameWithTags(service: { readonly name: string; readonly tags?: readonly string[] }): string {
  return service.tags === undefined || service.tags.length === 0 ? service.name : `${service.name} [${cut(service.tags.join(', '), 60)}]`;
}

/** `on demand: RequestContext (scoped), Plugin (transient, tags: plugin)`, bounded; '' when there are none. */
export function onDemandLine(services: readonly OnDemandService[]): string {
  if (services.length === 0) return '';
  const items = services.map((s) => `${s.name} (${s.scope}${s.tags.length > 0 ? `, tags: ${s.tags.join(', ')}` : ''})`);
  return cut(`on demand: ${boundedPath(items, ', ')}`);
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
  /** The services that have tags, and their tags (keys: described when read). */
  readonly #tags: [number, ServiceSpec['tags']][] = [];

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
      if (spec.tags.length > 0) this.#tags.push([i, spec.tags]);
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
    for (const [i, tags] of this.#tags) out[i] = { ...out[i]!, tags: tags.map(describeToken) };
    return out;
  }
}

let attach: (report: LifecycleReport, snapshot: Snapshot, restarted: readonly string[]) => void;

/** What `startAll` and `stopAll` resolve to, and what `BootError`/`ShutdownError` carry. */
export class LifecycleReport {
  #services: readonly ServiceReport[] | undefined;
  #snapshot: Snapshot | undefined;
  /** Every error of the run, optional services' included. */
  readonly errors: readonly BandmasterError[];
  /** Duration of the run, in ms. */
  readonly durationMs: number;
  /** The transient and scoped services: not booted, built on demand, so not in {@link LifecycleReport.services}. */
  readonly onDemand: readonly OnDemandService[];
  #restarted: readonly string[] = [];

  constructor(services: readonly ServiceReport[], errors: readonly BandmasterError[], durationMs: number, onDemand: readonly OnDemandService[] = []) {
    this.#services = services;
    this.errors = errors;
    this.durationMs = durationMs;
    this.onDemand = onDemand;
  }

  static {
    attach = (report, snapshot, restarted) => {
      report.#snapshot = snapshot;
      report.#services = undefined;
      report.#restarted = restarted;
    };
  }

  /**
   * The services a `container.restart()` (or a supervised restart) stopped and started again:
   * the service first, then its dependents; empty in the reports of `startAll` and `stopAll`.
   */
  get restarted(): readonly string[] {
    return this.#restarted;
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
    const restarted = this.#restarted.length > 0 ? { restarted: this.#restarted } : {};
    return { services: this.services, onDemand: this.onDemand, errors: this.errors, durationMs: this.durationMs, ...restarted };
  }

  /**
   * The report as a table, one service per line (a tags column when some have tags), then the
   * on-demand services in one line, and for a restart the services it restarted.
   */
  toString(): string {
    const tagged = this.services.some((s) => s.tags !== undefined);
    const header = ['service', 'state', 'required', ...(tagged ? ['tags'] : []), 'attempts', 'waited', 'took', 'error'];
    const rows = this.services.map((s) => [
      s.name,
      s.state,
      s.required ? 'yes' : 'no',
      ...(tagged ? [cut(s.tags?.join(', ') ?? '', 100)] : []),
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
    const onDemand = onDemandLine(this.onDemand);
    const restarted = this.#restarted.length > 0 ? [cut(`restarted: ${boundedPath(this.#restarted, ', ')}`)] : [];
    return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt), ...(onDemand ? [onDemand] : []), ...restarted, total].join('\n');
  }

  /** A plain object for JSON logs: errors as messages. */
  toJSON(): object {
    return {
      durationMs: this.durationMs,
      services: this.services.map((s) => ({ ...s, error: s.error?.message })),
      errors: this.errors.map((e) => ({ kind: e.kind, service: e.service, message: e.message })),
      onDemand: this.onDemand,
      ...(this.#restarted.length > 0 ? { restarted: this.#restarted } : {}),
    };
  }
}

/** The report of every node as it is now; the per-service objects are built when first read. */
export function lifecycleReport(table: NodeTable, phase: 'start' | 'stop', errors: readonly BandmasterError[], durationMs: number, onDemand: readonly OnDemandService[] = []): LifecycleReport {
  const report = new LifecycleReport([], errors, durationMs, onDemand);
  attach(report, new Snapshot(table, phase), []);
  return report;
}

/** The report of a restart: every node as it is now, and the names of the services it restarted (the service first). */
export function restartReport(table: NodeTable, errors: readonly BandmasterError[], durationMs: number, restarted: readonly string[]): LifecycleReport {
  const report = new LifecycleReport([], errors, durationMs);
  attach(report, new Snapshot(table, 'start'), restarted);
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
  const { tags } = node.spec;
  const tagged = tags.length > 0 ? { ...report, tags: tags.map(describeToken) } : report;
  return node.error ? { ...tagged, error: node.error } : tagged;
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
