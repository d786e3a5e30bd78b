import { describeCause } from '../errors';
import type { ServiceNode, ServiceState } from '../lifecycle/node';
import { boundedPath } from '../errors/render';
import { describeToken } from '../tokens';
import { nameWithTags, onDemandLine, type OnDemandService } from './report';
import type { RestartLog, StartSpan } from '../supervision/restart-log';
import { restartsText, timelineRestarts, type TimelineRestart } from './timeline-restarts';
import { timelineSvg } from './timeline-svg';
import { timelineTraceEvents, type TraceEventDocument } from './trace-events';

/** One service in a {@link Timeline}. Offsets are in ms since the first service was queued. */
export interface TimelineEntry {
  /** Service name. */
  readonly name: string;
  /** Its lifecycle state now. */
  readonly state: ServiceState;
  /** Its start failure fails the boot. */
  readonly required: boolean;
  /** Start attempts made (retries included). */
  readonly attempts: number;
  /** When the boot queued it. */
  readonly queuedMs: number;
  /** Time spent waiting for its dependencies (until its first attempt, or until it failed without one). */
  readonly waitedMs: number;
  /** Time from its first attempt to settling: construction, `onStart`, retries and backoff. */
  readonly startMs: number;
  /** When it settled: became ready (started) or failed. */
  readonly settledMs: number;
  /** It is on the critical path: the chain of dependencies that decided when the boot ended. */
  readonly critical: boolean;
  /** Why it failed, one line. */
  readonly error?: string;
  /** The tags it carries, by name; absent when it has none. */
  readonly tags?: readonly string[];
  /** Restarts it took part in since the boot (its own and its dependencies'); absent when none. */
  readonly restarts?: number;
}

/** Options of {@link Timeline.toText}. */
export interface TimelineTextOptions {
  /** Width of the bar column in characters; default 50. */
  readonly width?: number;
}

/**
 * The boot as a Gantt chart: per service how long it waited for its dependencies, how long its
 * start took (with attempts), when it became ready, and the critical path.
 */
export interface Timeline {
  /** Services that took part in a boot, by the time they were queued, then their first attempt. */
  readonly entries: readonly TimelineEntry[];
  /** From the first service queued to the last one settled, in ms. */
  readonly totalMs: number;
  /** Names on the critical path, from its root dependency to the service that settled last. */
  readonly criticalPath: readonly string[];
  /** The transient and scoped services: never booted, built on demand, so not in {@link Timeline.entries}. */
  readonly onDemand: readonly OnDemandService[];
  /**
   * The restarts since the boot, oldest first (the last 100 are kept): each with the stop and
   * the start again of the service and its dependents. The entries keep each service's boot.
   */
  readonly restarts: readonly TimelineRestart[];
  /** A text Gantt chart for the terminal. */
  toText(options?: TimelineTextOptions): string;
  /** A self-contained SVG document (no scripts, no external references). */
  toSvg(): string;
  /**
   * The Chrome trace-event JSON (Perfetto, `chrome://tracing`): a track per service with its wait
   * and its start; `JSON.stringify` it to a file and open it in https://ui.perfetto.dev.
   */
  toTraceEvents(): TraceEventDocument;
}

/**
 * Builds the timeline of the services that have been through a boot, from their timings, and
 * of the restarts in `log` (each service's boot spans are the ones before its first restart).
 *
 * @example
 * ```ts
 * await container.startAll();
 * console.log(container.timeline().toText());
 * ```
 */
export function buildTimeline(nodes: readonly ServiceNode[], onDemand: readonly OnDemandService[] = [], log?: Pick<RestartLog, 'records' | 'boot'>): Timeline {
  const saved = log?.boot;
  const spanOf = (n: ServiceNode): StartSpan => saved?.get(n.name) ?? n;
  // settled boots only; states rather than timestamps, which a fake clock may start at 0
  const booted = nodes.filter((n) => saved?.has(n.name) || (n.state !== 'idle' && n.state !== 'waiting' && n.state !== 'starting' && n.settledAt >= n.queuedAt));
  // loops, not Math.min(...list): spreading 130,000 values overflows the call stack
  let origin = booted.length > 0 ? Infinity : (log?.records[0]?.at ?? 0);
  let end = booted.length > 0 ? -Infinity : origin;
  for (const n of booted) {
    const span = spanOf(n);
    if (span.queuedAt < origin) origin = span.queuedAt;
    if (span.settledAt > end) end = span.settledAt;
  }
  const path = criticalPath(booted, spanOf);
  const onPath = new Set(path);
  const restarts = log ? timelineRestarts(log.records, origin) : [];
  const counts = new Map<string, number>();
  for (const r of restarts) for (const s of r.services) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  const entries = booted
    .map((n) => toEntry(n, spanOf(n), origin, onPath.has(n), counts.get(n.name)))
    .sort((a, b) => a.queuedMs + a.waitedMs - (b.queuedMs + b.waitedMs) || a.name.localeCompare(b.name));
  const timeline: Timeline = {
    entries,
    totalMs: end - origin,
    criticalPath: path.map((n) => n.name),
    onDemand,
    restarts,
    toText: (options) => timelineText(timeline, options),
    toSvg: () => timelineSvg(timeline),
    toTraceEvents: () => timelineTraceEvents(timeline),
  };
  return timeline;
}

function toEntry(node: ServiceNode, span: StartSpan, origin: number, critical: boolean, restarts: number | undefined): TimelineEntry {
  const attempted = span.attempts > 0;
  const firstAttempt = attempted ? span.attemptAt : span.settledAt;
  const entry: TimelineEntry = {
    name: node.name,
    state: node.state,
    required: node.spec.required,
    attempts: span.attempts,
    queuedMs: span.queuedAt - origin,
    waitedMs: Math.max(0, firstAttempt - span.queuedAt),
    startMs: attempted ? Math.max(0, span.settledAt - span.attemptAt) : 0,
    settledMs: span.settledAt - origin,
    critical,
    ...(restarts ? { restarts } : {}),
  };
  const { tags } = node.spec;
  const tagged = tags.length > 0 ? { ...entry, tags: tags.map(describeToken) } : entry;
  return node.state === 'failed' && node.error ? { ...tagged, error: describeCause(node.error.cause ?? node.error) } : tagged;
}

/**
 * The service that settled last, then, repeatedly, the dependency that settled last before the
 * current one could begin: the chain that set the boot's length.
 */
function criticalPath(booted: readonly ServiceNode[], spanOf: (n: ServiceNode) => StartSpan): ServiceNode[] {
  if (booted.length === 0) return [];
  const members = new Set(booted);
  let current = booted.reduce((a, b) => (spanOf(b).settledAt > spanOf(a).settledAt ? b : a));
  const path = [current];
  const onPath = new Set(path);
  for (;;) {
    let blocker: ServiceNode | undefined;
    for (const dep of current.depNodes) {
      // a dependency that was ready before this service was queued did not hold it back
      if (!dep || !members.has(dep) || spanOf(dep).settledAt < spanOf(current).queuedAt || onPath.has(dep)) continue;
      if (!blocker || spanOf(dep).settledAt > spanOf(blocker).settledAt) blocker = dep;
    }
    if (!blocker) break;
    path.push(blocker);
    onPath.add(blocker);
    current = blocker;
  }
  return path.reverse();
}

const WAIT = '░';
const RUN = '█';
const FAIL = '▒';

function timelineText(timeline: Timeline, options: TimelineTextOptions = {}): string {
  const width = Math.max(10, Math.floor(options.width ?? 50));
  const { entries, totalMs } = timeline;
  const onDemand = onDemandLine(timeline.onDemand);
  if (entries.length === 0) return ['boot timeline: no service has been through a boot yet', ...restartsText(timeline.restarts, width, 7, ms), ...(onDemand ? [onDemand] : [])].join('\n');
  const scale = (ms: number): number => (totalMs > 0 ? Math.round((ms / totalMs) * width) : 0);
  const labels = entries.map(nameWithTags);
  let nameWidth = 7;
  for (const l of labels) if (l.length > nameWidth) nameWidth = l.length;
  const header = `${'service'.padEnd(nameWidth)}   ${axis(totalMs, width)}${columns('waited', 'start', 'tries', 'ready')}`;
  const rows = entries.map((e, i) => {
    const from = Math.min(scale(e.queuedMs), width - 1);
    let runFrom = Math.max(from, scale(e.queuedMs + e.waitedMs));
    let to = Math.max(runFrom + (e.attempts > 0 ? 1 : 0), scale(e.settledMs));
    // an attempt is always drawn, if need be one cell earlier than its time
    if (to > width) [runFrom, to] = [Math.max(from, runFrom - (to - width)), width];
    const bar = ' '.repeat(from) + WAIT.repeat(runFrom - from) + (e.state === 'failed' ? FAIL : RUN).repeat(to - runFrom);
    const ready = `${e.state === 'started' ? ms(e.settledMs) : e.state === 'failed' ? 'failed' : e.state}${e.restarts ? ` (restarted ${e.restarts}×)` : ''}`;
    const cells = columns(ms(e.waitedMs), ms(e.startMs), String(e.attempts), ready);
    return `${labels[i]!.padEnd(nameWidth)} ${e.critical ? '*' : ' '} |${bar.padEnd(width).slice(0, width)}|${cells}`;
  });
  const path = boundedPath(timeline.criticalPath, ' -> ');
  const failures = entries.filter((e) => e.error).map((e) => `  ${e.name}: ${e.error}`);
  const title = `boot timeline: ${entries.length} service${entries.length === 1 ? '' : 's'} in ${ms(totalMs)}; critical path (*): ${path}`;
  const legend = `${WAIT} waiting for dependencies  ${RUN} starting (attempts, backoff)  ${FAIL} failed`;
  const restarts = restartsText(timeline.restarts, width, nameWidth, ms);
  return [title, header, ...rows, legend, ...(failures.length > 0 ? ['failures:', ...failures] : []), ...restarts, ...(onDemand ? [onDemand] : [])].join('\n');
}

function columns(waited: string, start: string, tries: string, ready: string): string {
  return `  ${waited.padStart(7)}  ${start.padStart(7)}  ${tries.padStart(5)}  ${ready}`;
}

function axis(totalMs: number, width: number): string {
  const right = ms(totalMs);
  return `|0${right.padStart(width - 1)}|`;
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)}s` : `${Math.round(value)}ms`;
}
