import { fmtMs, fmtRatio, ratios, summarize, type Summary } from './stats';
import type { Row } from './table';

/** A goal of issue 4 and whether this run met it. */
export interface Goal {
  readonly goal: string;
  readonly holds: boolean;
  readonly measured: string;
}

/** Collects the table rows, the JSON results and the goals of one bench run. */
export class Results {
  readonly rows: Row[] = [];
  readonly json: Record<string, unknown> = {};
  readonly goals: Goal[] = [];

  /** Adds a row of times (ms) with their per-round ratios to `reference` (same rounds). */
  timeRow(kase: string, contestant: string, times: readonly number[], reference: readonly number[] | undefined, note = ''): { time: Summary; ratio: Summary } {
    const time = summarize(times);
    const ratio = summarize(reference ? ratios(times, reference) : []);
    this.rows.push({
      case: kase,
      contestant,
      value: fmtMs(time.median),
      range: `${fmtMs(time.min)}–${fmtMs(time.max)}`,
      ratio: reference ? `${fmtRatio(ratio.median)} (${fmtRatio(ratio.min)}–${fmtRatio(ratio.max)})` : '',
      note,
    });
    this.record(kase, contestant, { medianMs: time.median, minMs: time.min, maxMs: time.max, rounds: time.n, ratio: reference ? ratio : undefined });
    return { time, ratio };
  }

  /** A row that says why a contestant has no figure in this case. */
  missing(kase: string, contestant: string, note: string): void {
    this.rows.push({ case: kase, contestant, value: '-', range: '-', ratio: '-', note });
    this.record(kase, contestant, { skipped: note });
  }

  /** A row with a value in its own unit (bytes, ns, µs). */
  valueRow(kase: string, contestant: string, values: readonly number[], unit: string, ratioTo: readonly number[] | undefined, note = ''): Summary {
    const s = summarize(values);
    const f = (x: number): string => (Number.isFinite(x) ? `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ${unit}` : '-');
    const r = ratioTo ? summarize(ratios(values, ratioTo)) : undefined;
    this.rows.push({ case: kase, contestant, value: f(s.median), range: `${f(s.min)}–${f(s.max)}`, ratio: r ? `${fmtRatio(r.median)} (${fmtRatio(r.min)}–${fmtRatio(r.max)})` : '', note });
    this.record(kase, contestant, { median: s.median, min: s.min, max: s.max, unit, rounds: s.n, ratio: r });
    return s;
  }

  goal(goal: string, holds: boolean, measured: string): void {
    this.goals.push({ goal, holds, measured });
  }

  record(kase: string, contestant: string, value: unknown): void {
    const bucket = (this.json[kase] ??= {}) as Record<string, unknown>;
    bucket[contestant] = value;
  }
}
