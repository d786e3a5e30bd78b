/** One line of the results table. */
export interface Row {
  readonly case: string;
  readonly contestant: string;
  /** Median value, formatted. */
  readonly value: string;
  /** min–max over the rounds, formatted. */
  readonly range: string;
  /** Median of the per-round ratios to the reference (the ideal scheduler, or bandmaster), with its min–max. */
  readonly ratio: string;
  readonly note: string;
}

/** A plain-text table, as wide as its cells. */
export function renderTable(rows: readonly Row[]): string {
  const header: Row = { case: 'case', contestant: 'contestant', value: 'median', range: 'min–max', ratio: 'ratio (min–max)', note: 'note' };
  const cols: (keyof Row)[] = ['case', 'contestant', 'value', 'range', 'ratio', 'note'];
  const all = [header, ...rows];
  const widths = cols.map((c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: Row): string => cols.map((c, i) => r[c].padEnd(widths[i]!)).join('  ').trimEnd();
  const out: string[] = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (const r of rows) {
    if (last && r.case !== last) out.push('');
    last = r.case;
    out.push(line(r));
  }
  return out.join('\n');
}

/** The same rows as a Markdown table, for bench/README.md. */
export function renderMarkdown(rows: readonly Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out = ['| case | contestant | median | min–max | ratio (min–max) | note |', '|---|---|---|---|---|---|'];
  for (const r of rows) out.push(`| ${esc(r.case)} | ${esc(r.contestant)} | ${esc(r.value)} | ${esc(r.range)} | ${esc(r.ratio)} | ${esc(r.note)} |`);
  return out.join('\n');
}
