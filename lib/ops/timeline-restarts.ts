import type { ServiceState } from '../lifecycle/node';
import type { RestartRecord, RestartSpanRecord } from '../supervision/restart-log';

/** One service's part in a {@link TimelineRestart}. Offsets in ms since the timeline's origin. */
export interface TimelineRestartService {
  /** Service name. */
  readonly name: string;
  /** When its stop began; absent when it was not started as the restart began. */
  readonly stopAtMs?: number;
  /** How long its stop took (0 when it was not stopped). */
  readonly stopMs: number;
  /** When it was queued to start again; absent when the restart did not start it. */
  readonly queuedMs?: number;
  /** Time spent waiting for its dependencies before its first attempt. */
  readonly waitedMs: number;
  /** Time from its first attempt to settling. */
  readonly startMs: number;
  /** When it settled (started or failed); absent when it was not started again. */
  readonly settledMs?: number;
  /** Start attempts in this restart. */
  readonly attempts: number;
  /** Its state when the restart ended. */
  readonly state: ServiceState;
  /** Why it did not come back, one line. */
  readonly error?: string;
}

/** One restart in a {@link Timeline}: a service and its dependents stopped, then started again. */
export interface TimelineRestart {
  /** The service restarted; its dependents are restarted with it. */
  readonly service: string;
  /** `lost` (health checks or its provider) or `on demand` (`container.restart()`). */
  readonly trigger: 'lost' | 'on demand';
  /** Why it was lost, one line. */
  readonly reason?: string;
  /** When the restart began, in ms since the timeline's origin. */
  readonly atMs: number;
  /** From `restarting` to its end, in ms. */
  readonly durationMs: number;
  /** `restarted`, `failed` (it could not come back) or `given up` (more than `maxRestarts`). */
  readonly outcome: 'restarted' | 'failed' | 'given up';
  /** The service, then its dependents. */
  readonly services: readonly TimelineRestartService[];
}

/** The restart records as timeline data, offsets from `origin`. */
export function timelineRestarts(records: readonly RestartRecord[], origin: number): TimelineRestart[] {
  return records.map((r) => ({
    service: r.service,
    trigger: r.trigger,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    atMs: r.at - origin,
    durationMs: r.end - r.at,
    outcome: r.outcome,
    services: r.services.map((s) => restartService(s, origin)),
  }));
}

function restartService(s: RestartSpanRecord, origin: number): TimelineRestartService {
  const start = s.start;
  const firstAttempt = start && (start.attempts > 0 ? start.attemptAt : start.settledAt);
  return {
    name: s.name,
    ...(s.stop ? { stopAtMs: s.stop.at - origin } : {}),
    stopMs: s.stop ? s.stop.end - s.stop.at : 0,
    ...(start ? { queuedMs: start.queuedAt - origin, settledMs: start.settledAt - origin } : {}),
    waitedMs: start ? Math.max(0, firstAttempt! - start.queuedAt) : 0,
    startMs: start && start.attempts > 0 ? Math.max(0, start.settledAt - start.attemptAt) : 0,
    attempts: start?.attempts ?? 0,
    state: s.state,
    ...(s.error ? { error: s.error } : {}),
  };
}

/** Restarts drawn by the text and SVG charts: the latest ones (the data keeps more). */
export const DRAWN_RESTARTS = 10;

const STOP = '▓';
const WAIT = '░';
const RUN = '█';
const FAIL = '▒';

/** The restarts as text: per restart a title line and one bar row per service, on its own scale. */
export function restartsText(restarts: readonly TimelineRestart[], width: number, nameWidth: number, fmt: (ms: number) => string): string[] {
  if (restarts.length === 0) return [];
  const drawn = restarts.slice(-DRAWN_RESTARTS);
  const out = [`restarts: ${restarts.length}${drawn.length < restarts.length ? ` (the last ${drawn.length} drawn)` : ''}`];
  drawn.forEach((r, k) => {
    const n = restarts.length - drawn.length + k + 1;
    out.push(`restart ${n}: ${r.service} (${r.trigger}${r.reason ? `: ${r.reason}` : ''}) at ${fmt(r.atMs)}, ${r.outcome} in ${fmt(r.durationMs)}`);
    const scale = (ms: number): number => (r.durationMs > 0 ? Math.min(width, Math.max(0, Math.round(((ms - r.atMs) / r.durationMs) * width))) : 0);
    for (const s of r.services) out.push(`${s.name.padEnd(nameWidth)}   |${restartBar(s, scale, width)}|  stop ${fmt(s.stopMs).padStart(7)}  start ${fmt(s.startMs).padStart(7)}  ${String(s.attempts).padStart(3)}×  ${s.state}${s.error ? `: ${s.error}` : ''}`);
  });
  out.push(`${STOP} stopping  ${WAIT} waiting for dependencies  ${RUN} starting  ${FAIL} failed`);
  return out;
}

function restartBar(s: TimelineRestartService, scale: (ms: number) => number, width: number): string {
  const cells = new Array<string>(width).fill(' ');
  const paint = (from: number, to: number, glyph: string, atLeast: number): void => {
    const a = Math.min(scale(from), width - atLeast);
    const b = Math.max(a + atLeast, scale(to));
    for (let i = a; i < Math.min(b, width); i++) cells[i] = glyph;
  };
  if (s.stopAtMs !== undefined) paint(s.stopAtMs, s.stopAtMs + s.stopMs, STOP, 1);
  if (s.queuedMs !== undefined && s.settledMs !== undefined) {
    const startAt = s.queuedMs + s.waitedMs;
    paint(s.queuedMs, startAt, WAIT, 0);
    paint(startAt, s.settledMs, s.state === 'failed' ? FAIL : RUN, s.attempts > 0 ? 1 : 0);
  }
  return cells.join('');
}
