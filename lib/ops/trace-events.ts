import { onDemandLine } from './report';
import type { Timeline, TimelineEntry } from './timeline';

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
  /** Category: `wait`, `start`, `failed`, with `critical` added on the critical path. */
  readonly cat?: string;
  /** Shown in the slice's details. */
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

/** What {@link Timeline.toTraceEvents} returns: `JSON.stringify` it to a `.json` file. */
export interface TraceEventDocument {
  /** Two slices per service (waiting for dependencies, starting) and its track's name. */
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
}

const PID = 1;
const us = (ms: number): number => Math.round(ms * 1000);

/** The timeline as a Chrome trace: one track per service, in the timeline's order. */
export function timelineTraceEvents(timeline: Timeline): TraceEventDocument {
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: 'bandmaster boot' } }];
  timeline.entries.forEach((entry, i) => events.push(...entryEvents(entry, i + 1)));
  return { traceEvents: events, displayTimeUnit: 'ms', otherData: { totalMs: timeline.totalMs, criticalPath: timeline.criticalPath.join(' -> '), onDemand: onDemandLine(timeline.onDemand) } };
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
