import { describeCause, type BandmasterError } from './errors';
import type { ServiceNode, ServiceState } from './node';

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
}

/** What `startAll` and `stopAll` resolve to, and what `BootError`/`ShutdownError` carry. */
export class LifecycleReport {
  /** Every registered service. */
  readonly services: readonly ServiceReport[];
  /** Every error of the run, optional services' included. */
  readonly errors: readonly BandmasterError[];
  /** Duration of the run, in ms. */
  readonly durationMs: number;

  constructor(services: readonly ServiceReport[], errors: readonly BandmasterError[], durationMs: number) {
    this.services = services;
    this.errors = errors;
    this.durationMs = durationMs;
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
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
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

/** Snapshot of one node for a report. */
export function reportService(node: ServiceNode, phase: 'start' | 'stop'): ServiceReport {
  // attempts, not attemptAt: an injected clock may well read 0 at the first attempt
  const started = node.attempts > 0;
  const report: ServiceReport = {
    name: node.name,
    state: node.state,
    required: node.spec.required,
    attempts: phase === 'start' ? node.attempts : node.stopAttempts,
    waitedMs: phase === 'start' && (started || node.settledAt > 0) ? Math.max(0, (started ? node.attemptAt : node.settledAt) - node.queuedAt) : 0,
    durationMs: phase === 'start' ? (started && node.settledAt >= node.attemptAt ? node.settledAt - node.attemptAt : 0) : node.stopMs,
  };
  return node.error ? { ...report, error: node.error } : report;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
