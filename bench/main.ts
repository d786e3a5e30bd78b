// `npm run bench [-- --quick] [-- --only=dag,jitter,scale,heap,resolve,scope,logging,cold,app,supervision] [-- --rounds=N]`
import { cpus, totalmem } from 'node:os';
import { fixedLatency, jitteredLatency } from './hooks';
import { Results } from './report';
import { dagCase, heapCase, scaleCase, type SuiteConfig } from './suite';
import { appCase } from './suite-app';
import { coldCase, loggingCase, resolveCase } from './suite-more';
import { scopeCase } from './cases/scope';
import { supervisionCase } from './cases/supervision';
import { renderMarkdown, renderTable } from './table';

const CASES = ['dag', 'jitter', 'scale', 'heap', 'resolve', 'scope', 'logging', 'cold', 'app', 'supervision'] as const;
type CaseName = (typeof CASES)[number];

function parseArgs(argv: readonly string[]): SuiteConfig & { only: Set<CaseName>; markdown: boolean } {
  const quick = argv.includes('--quick');
  const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = new Set((flag('only')?.split(',') ?? CASES) as CaseName[]);
  for (const c of only) if (!CASES.includes(c)) throw new Error(`unknown case ${c}: one of ${CASES.join(', ')}`);
  const rounds = Number(flag('rounds') ?? (quick ? 3 : 6));
  return { quick, rounds, only, markdown: argv.includes('--markdown'), log: (line) => process.stderr.write(`# ${line}\n`) };
}

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2));
  const results = new Results();
  const started = performance.now();
  config.log(`machine: ${machine()}${config.quick ? ' (quick)' : ''}`);
  const run: Record<CaseName, () => Promise<void>> = {
    dag: () => dagCase(results, config, fixedLatency(5), true),
    jitter: () => dagCase(results, config, jitteredLatency(1000, 9, 1, 9), false),
    scale: () => scaleCase(results, config),
    heap: () => heapCase(results, config),
    resolve: () => resolveCase(results, config),
    scope: () => scopeCase(results, config),
    logging: () => loggingCase(results, config),
    cold: () => coldCase(results, config),
    app: () => appCase(results, config),
    supervision: () => supervisionCase(results, config),
  };
  for (const name of CASES) if (config.only.has(name)) await run[name]();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`\n${renderTable(results.rows)}\n\n`);
  if (config.markdown) process.stdout.write(`${renderMarkdown(results.rows)}\n\n`);
  process.stdout.write('goals:\n');
  for (const g of results.goals) process.stdout.write(`  ${g.holds ? 'HOLDS ' : 'MISSED'}  ${g.goal}: ${g.measured}\n`);
  process.stdout.write(`\n${machine()}; ${config.rounds} rounds; ${seconds.toFixed(0)} s\n`);
  const summary = { machine: machine(), quick: config.quick, rounds: config.rounds, seconds, goals: results.goals, results: results.json };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
