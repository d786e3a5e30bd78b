/** Median, min and max of a sample. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n };
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { median, min: sorted[0]!, max: sorted[n - 1]!, n };
}

/** Per-round ratios `a[r] / b[r]`: each pair was measured side by side in the same round. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < Math.min(a.length, b.length); r++) out.push(a[r]! / b[r]!);
  return out;
}

/** The contestants of round `round`, rotated so that nobody always runs first (or right after a GC-heavy peer). */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Runs a full GC when the process was started with --expose-gc. */
export function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Milliseconds with a precision that fits the value. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(x >= 10 ? 1 : 3)}x` : '-';
}
