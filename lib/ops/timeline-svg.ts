import { boundedPath } from '../errors/render';
import { nameWithTags, onDemandLine } from './report';
import type { Timeline, TimelineEntry } from './timeline';
import { DRAWN_RESTARTS, type TimelineRestart } from './timeline-restarts';

const ROW = 24;
const LABEL = 170;
const CHART = 560;
const INFO = 230;
const TOP = 56;
const COLORS = { wait: '#d9dee5', run: '#4c78a8', critical: '#e4572e', failed: '#b8b8b8', stop: '#f2a541', text: '#1f2328', grid: '#eef0f3' };

/**
 * Renders a {@link Timeline} as one self-contained SVG document: bars for waiting and starting,
 * the critical path in its own colour, a tooltip (`<title>`) per bar, and an axis in ms; under
 * them, the latest restarts, each on its own scale (stops, then starts again).
 *
 * @example
 * ```ts
 * writeFileSync('boot.svg', container.timeline().toSvg());
 * ```
 */
export function timelineSvg(timeline: Timeline): string {
  const { entries, totalMs } = timeline;
  const onDemand = onDemandLine(timeline.onDemand);
  // a line for the on-demand services between the rows and the legend, when there are any
  const drawn = timeline.restarts.slice(-DRAWN_RESTARTS);
  const restartRows = drawn.reduce((sum, r) => sum + 1 + r.services.length, 0);
  const extra = (onDemand ? 20 : 0) + restartRows * ROW;
  const height = TOP + Math.max(1, entries.length) * ROW + 40 + extra;
  const width = LABEL + CHART + INFO;
  const x = (ms: number): number => LABEL + (totalMs > 0 ? (ms / totalMs) * CHART : 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(12, 22, `boot timeline: ${entries.length} services in ${fmt(totalMs)}`, 'font-size="14" font-weight="bold"'),
    text(12, 40, `critical path: ${boundedPath(timeline.criticalPath, ' → ') || 'none'}`, `fill="${COLORS.critical}"`),
  ];
  // pushed one by one: no spread of a list as long as the services
  for (const line of ticks(totalMs, x, height - extra)) parts.push(line);
  for (let i = 0; i < entries.length; i++) for (const line of row(entries[i]!, TOP + i * ROW, x)) parts.push(line);
  let y = TOP + Math.max(1, entries.length) * ROW;
  drawn.forEach((r, k) => {
    for (const line of restartPanel(r, timeline.restarts.length - drawn.length + k + 1, y)) parts.push(line);
    y += (1 + r.services.length) * ROW;
  });
  if (onDemand) parts.push(text(12, height - 36, onDemand, 'fill="#6e7781"'));
  for (const line of legend(height - 14)) parts.push(line);
  parts.push('</svg>');
  return parts.join('\n');
}

function row(e: TimelineEntry, y: number, x: (ms: number) => number): string[] {
  const startAt = e.queuedMs + e.waitedMs;
  const runColor = e.state === 'failed' ? COLORS.failed : e.critical ? COLORS.critical : COLORS.run;
  const tip = `${nameWithTags(e)}: ${e.state}, waited ${fmt(e.waitedMs)}, start ${fmt(e.startMs)}, ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}${e.error ? `, ${e.error}` : ''}`;
  const runWidth = Math.max(e.attempts > 0 ? 2 : 0, x(e.settledMs) - x(startAt));
  const label = `${e.critical ? '* ' : ''}${e.name}`;
  const info = `${e.state === 'started' ? `ready ${fmt(e.settledMs)}` : e.state} · ${e.attempts}×`;
  return [
    `<g><title>${escape(tip)}</title>`,
    text(LABEL - 8, y + (e.tags ? 12 : 16), clip(label, 22), `text-anchor="end"${e.critical ? ` fill="${COLORS.critical}" font-weight="bold"` : ''}`),
    // the tags under the name, smaller, so that a long name does not hide them
    ...(e.tags ? [text(LABEL - 8, y + 22, clip(e.tags.join(', '), 30), 'text-anchor="end" font-size="9" fill="#6e7781"')] : []),
    rect(x(e.queuedMs), y + 5, x(startAt) - x(e.queuedMs), ROW - 10, COLORS.wait),
    rect(x(startAt), y + 4, runWidth, ROW - 8, runColor),
    text(LABEL + CHART + 10, y + 16, info, ''),
    '</g>',
  ];
}

/** One restart: a title row, then per service its stop and its start again, scaled to the restart's length. */
function restartPanel(r: TimelineRestart, n: number, top: number): string[] {
  const x = (ms: number): number => LABEL + (r.durationMs > 0 ? Math.min(1, Math.max(0, (ms - r.atMs) / r.durationMs)) * CHART : 0);
  const title = `restart ${n}: ${r.service} (${r.trigger}${r.reason ? `: ${r.reason}` : ''}) at ${fmt(r.atMs)}, ${r.outcome} in ${fmt(r.durationMs)}`;
  const out = [`<g data-restart="${n}">`, text(12, top + 16, clip(title, 130), `font-weight="bold"${r.outcome === 'restarted' ? '' : ` fill="${COLORS.critical}"`}`)];
  r.services.forEach((s, i) => {
    const y = top + (i + 1) * ROW;
    const tip = `${s.name}: stop ${fmt(s.stopMs)}, start ${fmt(s.startMs)}, ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}, ${s.state}${s.error ? `, ${s.error}` : ''}`;
    out.push(`<g><title>${escape(tip)}</title>`, text(LABEL - 8, y + 16, clip(s.name, 22), 'text-anchor="end"'));
    if (s.stopAtMs !== undefined) out.push(rect(x(s.stopAtMs), y + 4, Math.max(2, x(s.stopAtMs + s.stopMs) - x(s.stopAtMs)), ROW - 8, COLORS.stop));
    if (s.queuedMs !== undefined && s.settledMs !== undefined) {
      const startAt = s.queuedMs + s.waitedMs;
      out.push(rect(x(s.queuedMs), y + 5, x(startAt) - x(s.queuedMs), ROW - 10, COLORS.wait));
      out.push(rect(x(startAt), y + 4, Math.max(s.attempts > 0 ? 2 : 0, x(s.settledMs) - x(startAt)), ROW - 8, s.state === 'failed' ? COLORS.failed : COLORS.run));
    }
    out.push(text(LABEL + CHART + 10, y + 16, `${s.state} · ${s.attempts}×`, ''), '</g>');
  });
  out.push('</g>');
  return out;
}

function ticks(totalMs: number, x: (ms: number) => number, height: number): string[] {
  const step = niceStep(totalMs / 5);
  const out: string[] = [];
  for (let t = 0; t <= totalMs + 1e-9 && step > 0; t += step) {
    out.push(`<line x1="${n(x(t))}" y1="${TOP - 6}" x2="${n(x(t))}" y2="${height - 34}" stroke="${COLORS.grid}"/>`);
    out.push(text(x(t), TOP - 10, fmt(t), 'text-anchor="middle" fill="#6e7781"'));
  }
  return out;
}

function legend(y: number): string[] {
  const items: [string, string][] = [[COLORS.wait, 'waiting for dependencies'], [COLORS.run, 'starting'], [COLORS.critical, 'critical path'], [COLORS.failed, 'failed'], [COLORS.stop, 'stopping (restarts)']];
  return items.flatMap(([color, label], i) => [rect(12 + i * 190, y - 10, 12, 12, color), text(30 + i * 190, y, label, '')]);
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 0;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10;
  return nice * magnitude;
}

function rect(x: number, y: number, w: number, h: number, fill: string): string {
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(Math.max(0, w))}" height="${n(h)}" rx="2" fill="${fill}"/>`;
}

function text(x: number, y: number, content: string, attributes: string): string {
  const fill = attributes.includes('fill=') ? '' : ` fill="${COLORS.text}"`;
  return `<text x="${n(x)}" y="${n(y)}"${fill}${attributes ? ` ${attributes}` : ''}>${escape(content)}</text>`;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function fmt(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}

/** Escapes text for XML content and attribute values; characters XML cannot hold become U+FFFD. */
function escape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
