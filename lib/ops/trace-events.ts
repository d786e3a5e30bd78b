import { onDemandLine } from './report';
import type { Timeline, TimelineEntry } from './timeline';
import type { TimelineRestart } from './timeline-restarts';

/**
 * One event of the Chrome trace-event format (the JSON that Perfetto, `chrome://tracing` and
 * speedscope open): a complete slice (`ph: 'X'`) or a track name (`ph: 'M'`). Times in µs.
 */
export interface TraceEvent {
  /** Slice or track label. */
  readonly name: string;
  /** `X` a complete slice, `M` metadata (the track's name and order). */
  readonly ph: 'X' | 'M';
  /** Start, in µs since the boot began. */
  readonly ts: number;
  /** Length of a slice, in µs. */
  readonly dur?: number;
  /** Process id: 1, the container. */
  readonly pid: number;
  /** Track id: one per service. */
  readonly tid: number;
  /** Category: `wait`, `start`, `failed`, with `critical` added on the critical path; `restart,stop`, `restart,wait`, `restart,start`, `restart,failed` for restarts, and `restart` on the restarts track. */
  readonly cat?: string;
  /** Shown in the slice's details. */
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

/** What {@link Timeline.toTraceEvents} returns: `JSON.stringify` it to a `.json` file. */
export interface TraceEventDocument {
  /** Two slices per service (waiting for dependencies, starting) and its track's name; per restart, a slice on the `restarts` track and its services' stop and start slices on their tracks. */
  readonly traceEvents: readonly TraceEvent[];
  /** How viewers show times. */
  readonly displayTimeUnit: 'ms';
  /** The boot's length and critical path, shown by viewers as the trace's metadata. */
  readonly otherData: TraceSummary;
}

/** {@link TraceEventDocument.otherData}. */
export interface TraceSummary {
  /** The boot's length, in ms. */
  readonly totalMs: number;
  /** The critical path, `a -> b -> c`. */
  readonly criticalPath: string;
  /** The transient and scoped services (never booted, so without tracks), `on demand: a (scoped), ...`; '' when none. */
  readonly onDemand: string;
  /** How many restarts the timeline holds. */
  readonly restarts: number;
}

const PID = 1;
const us = (ms: number): number => Math.round(ms * 1000);

/** The timeline as a Chrome trace: one track per service, in the timeline's order, then a `restarts` track. */
export function timelineTraceEvents(timeline: Timeline): TraceEventDocument {
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: 'bandmaster boot' } }];
  const tids = new Map<string, number>();
  timeline.entries.forEach((entry, i) => {
    tids.set(entry.name, i + 1);
    events.push(...entryEvents(entry, i + 1));
  });
  if (timeline.restarts.length > 0) restartEvents(timeline.restarts, tids, events);
  const otherData = { totalMs: timeline.totalMs, criticalPath: timeline.criticalPath.join(' -> '), onDemand: onDemandLine(timeline.onDemand), restarts: timeline.restarts.length };
  return { traceEvents: events, displayTimeUnit: 'ms', otherData };
}

/** A `restarts` track with a slice per restart, and each restarted service's stop and start on its own track (a new one when it had none). */
function restartEvents(restarts: readonly TimelineRestart[], tids: Map<string, number>, events: TraceEvent[]): void {
  const track = (name: string): number => {
    let tid = tids.get(name);
    if (tid === undefined) {
      tid = tids.size + 1;
      tids.set(name, tid);
      events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid, args: { name } }, { name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid, args: { sort_index: tid } });
    }
    return tid;
  };
  const own = track('restarts');
  restarts.forEach((r, k) => {
    const n = k + 1;
    const args = { service: r.service, trigger: r.trigger, outcome: r.outcome, services: r.services.map((s) => s.name).join(', '), ...(r.reason ? { reason: r.reason } : {}) };
    events.push({ name: `restart ${n}: ${r.service}`, ph: 'X', ts: us(r.atMs), dur: us(r.durationMs), pid: PID, tid: own, cat: 'restart', args });
    for (const s of r.services) {
      const tid = track(s.name);
      const sArgs = { restart: n, state: s.state, attempts: s.attempts, ...(s.error ? { error: s.error } : {}) };
      if (s.stopAtMs !== undefined) events.push({ name: `${s.name}: stop (restart ${n})`, ph: 'X', ts: us(s.stopAtMs), dur: us(s.stopMs), pid: PID, tid, cat: 'restart,stop', args: sArgs });
      if (s.queuedMs === undefined || s.settledMs === undefined) continue;
      const startAt = s.queuedMs + s.waitedMs;
      if (s.waitedMs > 0) events.push({ name: `${s.name}: waiting (restart ${n})`, ph: 'X', ts: us(s.queuedMs), dur: us(s.waitedMs), pid: PID, tid, cat: 'restart,wait', args: sArgs });
      const failed = s.state === 'failed';
      events.push({ name: `${s.name}: ${failed ? 'failed' : 'start'} (restart ${n})`, ph: 'X', ts: us(startAt), dur: us(Math.max(0, s.settledMs - startAt)), pid: PID, tid, cat: failed ? 'restart,failed' : 'restart,start', args: sArgs });
    }
  });
}

function entryEvents(e: TimelineEntry, tid: number): TraceEvent[] {
  const critical = e.critical ? ',critical' : '';
  const args = { state: e.state, required: e.required, attempts: e.attempts, critical: e.critical, ...(e.tags ? { tags: e.tags.join(', ') } : {}), ...(e.error ? { error: e.error } : {}) };
  const out: TraceEvent[] = [
    { name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid, args: { name: e.name } },
    { name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid, args: { sort_index: tid } },
  ];
  if (e.waitedMs > 0) out.push({ name: `${e.name}: waiting`, ph: 'X', ts: us(e.queuedMs), dur: us(e.waitedMs), pid: PID, tid, cat: `wait${critical}`, args });
  const startAt = e.queuedMs + e.waitedMs;
  const label = e.state === 'failed' ? `${e.name}: failed` : `${e.name}: start`;
  out.push({ name: label, ph: 'X', ts: us(startAt), dur: us(Math.max(0, e.settledMs - startAt)), pid: PID, tid, cat: `${e.state === 'failed' ? 'failed' : 'start'}${critical}`, args });
  return out;
}
