import { maskValue } from '../env';
import { describeCause } from '../errors';
import type { LifecycleEvent, LifecycleEvents } from '../events';
import type { GraphView } from '../graph-view';
import type { HealthOptions, HealthReport } from '../health';
import type { ServiceState } from '../node';
import type { ServiceReport } from '../report';
import type { Timeline } from '../timeline';

/** What the dashboard reads from a container: all of it public API. */
export interface DashboardSource {
  /** Lifecycle events, streamed to the page. */
  readonly events: LifecycleEvents;
  /** Every service's state, attempts and error. */
  status(): ServiceReport[];
  /** The dependency graph. */
  graph(): GraphView;
  /** The last boot, with its critical path. */
  timeline(): Timeline;
  /** The health checks. */
  health(options?: HealthOptions): Promise<HealthReport>;
}

/** One service in {@link DashboardState}. */
export interface DashboardService {
  /** Service name. */
  readonly name: string;
  /** Its lifecycle state now. */
  readonly state: ServiceState;
  /** Its start failure fails the boot. */
  readonly required: boolean;
  /** Attempts of its last start. */
  readonly attempts: number;
  /** Starts after its first one, seen since the dashboard was created. */
  readonly restarts: number;
  /** Why it last failed (to start or to stop), one line, passwords in URLs masked. */
  readonly error?: string;
  /** Names of the services it depends on (missing ones included). */
  readonly dependencies: readonly string[];
}

/** `GET path/state.json`: everything the page shows. */
export interface DashboardState {
  /** Every registered service. */
  readonly services: readonly DashboardService[];
  /** The last boot. */
  readonly timeline: {
    readonly totalMs: number;
    readonly criticalPath: readonly string[];
    readonly entries: readonly { name: string; state: ServiceState; attempts: number; queuedMs: number; waitedMs: number; startMs: number; settledMs: number; critical: boolean }[];
  };
  /** The health checks' outcome when the state was read. */
  readonly health: { readonly healthy: boolean; readonly services: readonly { name: string; healthy: boolean; error?: string }[] };
}

/** A lifecycle event as the page receives it (`event: lifecycle`): plain JSON, the error as a masked line. */
export interface DashboardEvent {
  readonly type: LifecycleEvent['type'];
  readonly service: string;
  readonly required: boolean;
  readonly attempt: number;
  /** The service's state once the event happened. */
  readonly state: ServiceState;
  /** `Date.now()` when it happened. */
  readonly at: number;
  readonly durationMs?: number;
  readonly delayMs?: number;
  readonly error?: string;
}

const MAX_ERROR = 500;

/** One line, at most 500 characters, with the passwords of `user:password@host` masked. */
export function safeError(error: unknown): string {
  const err = error as { cause?: unknown } | undefined;
  // a BandmasterError's own message repeats the service name: its cause is the news
  const text = String(maskValue(describeCause(err && typeof err === 'object' && 'kind' in err && err.cause !== undefined ? err.cause : error))).replace(/\s+/g, ' ');
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 3)}...` : text;
}

const STATE_AFTER: Readonly<Record<LifecycleEvent['type'], ServiceState>> = {
  starting: 'starting',
  started: 'started',
  'start-retrying': 'starting',
  'start-failed': 'failed',
  stopping: 'stopping',
  stopped: 'stopped',
  'stop-retrying': 'stopping',
  // a service that failed to stop stays started
  'stop-failed': 'started',
};

/** The event as the page receives it. */
export function toDashboardEvent(e: LifecycleEvent): DashboardEvent {
  const base = { type: e.type, service: e.service, required: e.required, attempt: e.attempt, state: STATE_AFTER[e.type], at: Date.now() };
  switch (e.type) {
    case 'started':
    case 'stopped':
      return { ...base, durationMs: e.durationMs };
    case 'start-retrying':
    case 'stop-retrying':
      return { ...base, delayMs: e.delayMs, error: safeError(e.error) };
    case 'start-failed':
    case 'stop-failed':
      return { ...base, error: safeError(e.error) };
    default:
      return base;
  }
}

/** What the dashboard remembers from the events: restarts, start attempts, the last error. */
export class EventMemory {
  readonly #restarts = new Map<string, number>();
  readonly #everStarted = new Set<string>();
  readonly #attempts = new Map<string, number>();
  readonly #errors = new Map<string, string>();

  record(e: LifecycleEvent): void {
    if (e.type === 'starting') this.#attempts.set(e.service, e.attempt);
    else if (e.type === 'started') {
      this.#errors.delete(e.service);
      if (this.#everStarted.has(e.service)) this.#restarts.set(e.service, (this.#restarts.get(e.service) ?? 0) + 1);
      else this.#everStarted.add(e.service);
    } else if (e.type === 'start-failed' || e.type === 'stop-failed') this.#errors.set(e.service, safeError(e.error));
  }

  restarts(name: string): number {
    return this.#restarts.get(name) ?? 0;
  }

  attempts(name: string): number | undefined {
    return this.#attempts.get(name);
  }

  error(name: string): string | undefined {
    return this.#errors.get(name);
  }
}

/** The state the page shows, from the container's public views. */
export function buildState(source: DashboardSource, memory: EventMemory, health: HealthReport): DashboardState {
  const graph = source.graph();
  const deps = new Map<string, string[]>();
  for (const e of graph.edges) {
    let list = deps.get(e.from);
    if (!list) deps.set(e.from, (list = []));
    list.push(e.to);
  }
  const timeline = source.timeline();
  const booted = new Map(timeline.entries.map((e) => [e.name, e]));
  const services = source.status().map((s): DashboardService => {
    const error = s.error ? safeError(s.error) : memory.error(s.name);
    const service = {
      name: s.name,
      state: s.state,
      required: s.required,
      attempts: memory.attempts(s.name) ?? booted.get(s.name)?.attempts ?? 0,
      restarts: memory.restarts(s.name),
      dependencies: deps.get(s.name) ?? [],
    };
    return error !== undefined && s.state !== 'started' ? { ...service, error } : service;
  });
  const entries = timeline.entries.map((e) => ({
    name: e.name,
    state: e.state,
    attempts: e.attempts,
    queuedMs: e.queuedMs,
    waitedMs: e.waitedMs,
    startMs: e.startMs,
    settledMs: e.settledMs,
    critical: e.critical,
  }));
  return {
    services,
    timeline: { totalMs: timeline.totalMs, criticalPath: timeline.criticalPath, entries },
    health: {
      healthy: health.healthy,
      services: health.services.map((h) => (h.error ? { name: h.name, healthy: h.healthy, error: safeError(h.error) } : { name: h.name, healthy: h.healthy })),
    },
  };
}
