import { maskValue } from '../env';
import { describeCause } from '../errors';
import type { LifecycleEvent, LifecycleEvents } from '../events';
import type { GraphNode, GraphView } from '../graph/view';
import type { HealthOptions, HealthReport, ServiceHealth } from './health';
import type { ServiceState } from '../lifecycle/node';
import type { ServiceReport } from './report';
import type { Timeline, TimelineEntry } from './timeline';

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
  /** How long its instances live: `singleton` for every booted service. */
  readonly scope: GraphNode['scope'];
  /** The tags it carries, by name (empty when none). */
  readonly tags: readonly string[];
}

/** A transient or scoped service in {@link DashboardState}: built on demand, never booted, so without a state. */
export interface DashboardOnDemand {
  /** Service name. */
  readonly name: string;
  /** How long its instances live. */
  readonly scope: 'transient' | 'scoped';
  /** The tags it carries, by name (empty when none). */
  readonly tags: readonly string[];
  /** Names of the services it depends on (missing ones, values a scope provides, included). */
  readonly dependencies: readonly string[];
}

/** `GET path/state.json`: everything the page shows. */
export interface DashboardState {
  /** Every registered singleton (the services a boot starts). */
  readonly services: readonly DashboardService[];
  /** The transient and scoped services, in registration order. */
  readonly onDemand: readonly DashboardOnDemand[];
  /** The last boot. */
  readonly timeline: DashboardTimeline;
  /** The health checks' outcome when the state was read. */
  readonly health: DashboardHealth;
}

/** The last boot in {@link DashboardState}: `container.timeline()` as data. */
export interface DashboardTimeline {
  /** From the first service queued to the last one settled, in ms. */
  readonly totalMs: number;
  /** Names on the critical path, root dependency first. */
  readonly criticalPath: readonly string[];
  /** The services of the boot, with the timeline's fields (`TimelineEntry`) less the error. */
  readonly entries: readonly Omit<TimelineEntry, 'required' | 'error'>[];
}

/** Health in {@link DashboardState}. */
export interface DashboardHealth {
  /** Every required service is started and passes its check. */
  readonly healthy: boolean;
  /** Each service's outcome, its error masked. */
  readonly services: readonly Pick<ServiceHealth, 'name' | 'healthy' | 'error'>[];
}

/** A lifecycle event as the page receives it (`event: lifecycle`): plain JSON, the error as a masked line. */
export interface DashboardEvent {
  /** The lifecycle event's type. */
  readonly type: LifecycleEvent['type'];
  /** Service name. */
  readonly service: string;
  /** Its start failure fails the boot. */
  readonly required: boolean;
  /** Attempt number, from 1. */
  readonly attempt: number;
  /** The service's state once the event happened. */
  readonly state: ServiceState;
  /** `Date.now()` when it happened. */
  readonly at: number;
  /** `started`, `stopped`: how long it took, in ms. */
  readonly durationMs?: number;
  /** `start-retrying`, `stop-retrying`: backoff before the next attempt, in ms. */
  readonly delayMs?: number;
  /** Failures and retries: why, one masked line. */
  readonly error?: string;
}

const MAX_ERROR = 500;

/** One line, at most 500 characters, with the passwords of `user:password@host` masked. */
export function safeError(error: unknown): string {
  const err = error as { kind?: unknown; cause?: unknown } | undefined;
  // a start or stop failure only wraps the hook's error, which is the news; a failed
  // dependency's message says which dependency, so it is kept whole
  const wrapper = !!err && typeof err === 'object' && (err.kind === 'ServiceStartFailure' || err.kind === 'ServiceStopFailure') && err.cause !== undefined;
  const text = String(maskValue(describeCause(wrapper ? err.cause : error))).replace(/\s+/g, ' ');
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
  // supervision: a lost service is started until its restart stops it
  lost: 'started',
  restarting: 'started',
  restarted: 'started',
  'restart-failed': 'failed',
  acquired: 'starting',
  released: 'stopped',
  standby: 'standby',
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
  const nodes = new Map(graph.nodes.map((n) => [n.name, n]));
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
      scope: nodes.get(s.name)?.scope ?? 'singleton',
      tags: nodes.get(s.name)?.tags ?? [],
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
  const onDemand = graph.nodes
    .filter((n) => n.scope !== 'singleton')
    .map((n): DashboardOnDemand => ({ name: n.name, scope: n.scope as DashboardOnDemand['scope'], tags: n.tags, dependencies: deps.get(n.name) ?? [] }));
  return {
    services,
    onDemand,
    timeline: { totalMs: timeline.totalMs, criticalPath: timeline.criticalPath, entries },
    health: {
      healthy: health.healthy,
      services: health.services.map((h) => (h.error ? { name: h.name, healthy: h.healthy, error: safeError(h.error) } : { name: h.name, healthy: h.healthy })),
    },
  };
}
