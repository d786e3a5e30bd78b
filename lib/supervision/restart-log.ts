import { describeCause } from '../errors';
import type { LifecycleEvent, LifecycleEvents } from '../events';
import { STATES, type ServiceNode, type ServiceState } from '../lifecycle/node';
import type { Clock } from '../lifecycle/retry';

/** The start of one service as its times said before a restart overwrote them (clock ms). */
export interface StartSpan {
  readonly queuedAt: number;
  readonly attemptAt: number;
  readonly settledAt: number;
  readonly attempts: number;
}

/** One service's part in a restart: its stop (when it was started) and its start again (clock ms). */
export interface RestartSpanRecord {
  readonly name: string;
  /** Its stop, when it was started when the restart began. */
  readonly stop?: { readonly at: number; readonly end: number; readonly attempts: number };
  /** Its start again, when the restart got that far. */
  readonly start?: StartSpan;
  /** Its state when the restart ended. */
  readonly state: ServiceState;
  /** Why it did not come back, one line. */
  readonly error?: string;
}

/** One restart, supervised or on demand, or one give-up (clock ms). */
export interface RestartRecord {
  /** The service restarted (its dependents follow it). */
  readonly service: string;
  /** A loss (health checks, provider) or `container.restart()`. */
  readonly trigger: 'lost' | 'on demand';
  /** The loss's error, one line. */
  readonly reason?: string;
  readonly at: number;
  readonly end: number;
  readonly outcome: 'restarted' | 'failed' | 'given up';
  /** The service, then its dependents. */
  readonly services: readonly RestartSpanRecord[];
}

/** Restarts kept for the timeline: a service that flaps for days must not grow the heap. */
export const KEPT_RESTARTS = 100;

/**
 * What the timeline shows of restarts: each restart's stop and start spans, read from the
 * stopping/stopped events of its services while it runs (a listener only during a restart) and
 * from their times once it ended, and the boot spans the first restart of a service overwrote.
 */
export class RestartLog {
  /** The restarts since the last boot, oldest first, at most {@link KEPT_RESTARTS}. */
  readonly records: RestartRecord[] = [];
  /** Restarts dropped from {@link RestartLog.records} to keep it bounded. */
  dropped = 0;
  /** Each restarted service's start in the boot, before its first restart. */
  readonly boot = new Map<string, StartSpan>();
  #stale = false;

  /** `stopAll` began: the next boot begins a new log (until then the last one is still shown). */
  halt(): void {
    this.#stale = true;
  }

  /** A boot ended: after a `stopAll`, the log starts afresh. */
  booted(): void {
    if (!this.#stale) return;
    this.#stale = false;
    this.records.length = 0;
    this.boot.clear();
    this.dropped = 0;
  }

  /** Begins recording a restart of `set` (the service, then its dependents); `end()` files it. */
  begin(events: LifecycleEvents, clock: Clock, set: readonly ServiceNode[], trigger: RestartRecord['trigger'], reason: unknown): Recording {
    for (const node of set) {
      if (!this.boot.has(node.name) && node.attempts > 0 && node.settledAt >= node.attemptAt) this.boot.set(node.name, startSpan(node));
    }
    return new Recording(this, events, clock, set, trigger, reason);
  }

  /** Files a finished restart. */
  add(record: RestartRecord): void {
    this.records.push(record);
    if (this.records.length > KEPT_RESTARTS) {
      this.records.shift();
      this.dropped++;
    }
  }
}

/** One restart being recorded. */
export class Recording {
  readonly #log: RestartLog;
  readonly #clock: Clock;
  readonly #set: readonly ServiceNode[];
  readonly #trigger: RestartRecord['trigger'];
  readonly #reason: string | undefined;
  readonly #at: number;
  readonly #stops = new Map<string, { at: number; end: number; attempts: number }>();
  readonly #off: () => void;
  #ended = false;

  constructor(log: RestartLog, events: LifecycleEvents, clock: Clock, set: readonly ServiceNode[], trigger: RestartRecord['trigger'], reason: unknown) {
    this.#log = log;
    this.#clock = clock;
    this.#set = set;
    this.#trigger = trigger;
    this.#reason = reason === undefined ? undefined : describeCause(reason);
    this.#at = clock.now();
    const names = new Set(set.map((n) => n.name));
    this.#off = events.on((e) => names.has(e.service) && this.#seen(e));
  }

  #seen(e: LifecycleEvent): void {
    const now = this.#clock.now();
    if (e.type === 'stopping' && !this.#stops.has(e.service)) this.#stops.set(e.service, { at: now, end: now, attempts: e.attempt });
    const stop = this.#stops.get(e.service);
    if (stop && (e.type === 'stopped' || e.type === 'stop-failed' || e.type === 'stop-retrying')) {
      stop.end = now;
      stop.attempts = e.attempt;
    }
  }

  /** Stops listening without filing it (a restart that threw): once ended, nothing more. */
  close(): void {
    this.#ended = true;
    this.#off();
  }

  /** Stops listening and files the restart; `started` says whether its services began starting again. Once only. */
  end(outcome: RestartRecord['outcome'], started: boolean): void {
    if (this.#ended) return;
    this.close();
    const services = this.#set.map((node): RestartSpanRecord => {
      const stop = this.#stops.get(node.name);
      // started again in this restart: queued since it began (a service not enlisted keeps older times)
      const start = started && node.queuedAt >= this.#at && (node.attempts > 0 || node.settledAt >= node.queuedAt) ? startSpan(node) : undefined;
      const state = STATES[node.code]!;
      const error = state === 'failed' && node.error ? describeCause(node.error.cause ?? node.error) : undefined;
      return { name: node.name, ...(stop ? { stop: { ...stop } } : {}), ...(start ? { start } : {}), state, ...(error ? { error } : {}) };
    });
    const reason = this.#reason === undefined ? {} : { reason: this.#reason };
    this.#log.add({ service: this.#set[0]!.name, trigger: this.#trigger, ...reason, at: this.#at, end: this.#clock.now(), outcome, services });
  }
}

function startSpan(node: ServiceNode): StartSpan {
  return { queuedAt: node.queuedAt, attemptAt: node.attemptAt, settledAt: node.settledAt, attempts: node.attempts };
}
