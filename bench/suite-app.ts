import { appBoots } from './cases/children';
import type { Results } from './report';
import type { SuiteConfig } from './suite';
import { ratios, summarize } from './stats';

const REFERENCE = 'hand-written main()';
const OURS = 'bandmaster';
const NEST = 'NestJS';

/**
 * A real application's boot and shutdown (bench/realapp): four clients of this machine's servers
 * and 40 services, by bandmaster, a hand-written main() (the reference) and NestJS. Skipped, with
 * a row that says which server did not answer, where the servers are not running.
 */
export async function appCase(results: Results, config: SuiteConfig): Promise<void> {
  // a boot lasts 50-150 ms, mostly timers and round trips, and one round's ratio swings by 2x on a
  // busy machine: many rounds are cheap, and needed (quick: 30, about 15 s)
  const rounds = config.rounds * 10;
  const kase = 'real application: redis, pg, nats, memcached + 40 services (1-3 deps, 1-5 ms init, pg queries)';
  config.log(`${kase}: ${rounds} rounds`);
  const out = await appBoots(rounds);
  if ('skipped' in out) {
    config.log(`${kase}: SKIPPED: ${out.skipped}`);
    for (const name of [REFERENCE, OURS, NEST]) results.missing(`${kase}: boot`, name, `skipped: ${out.skipped}`);
    results.goal('real application boot and stop <= 1.05x the hand-written main(), ahead of NestJS', false, `skipped: ${out.skipped}`);
    return;
  }
  const { times, services } = out;
  const ref = times[REFERENCE]!;
  const ratioOf = (name: string, phase: 'boot' | 'stop'): number => summarize(ratios(times[name]![phase], ref[phase])).median;
  for (const phase of ['boot', 'stop'] as const) {
    for (const [name, t] of Object.entries(times)) {
      const cpu = summarize(t.bootCpu).median;
      const note = phase === 'boot' ? `CPU ${cpu.toFixed(1)} ms per boot (${((cpu * 1000) / services).toFixed(0)} µs per service)` : '';
      results.timeRow(`${kase}: ${phase}`, name, t[phase], ref[phase], note);
    }
  }
  const own = summarize(times[OURS]!.bootCpu.map((c, i) => ((c - ref.bootCpu[i]!) * 1000) / services));
  results.record(`${kase}: container CPU per service over the hand-written main() (µs)`, OURS, own);
  const [boot, stop] = [ratioOf(OURS, 'boot'), ratioOf(OURS, 'stop')];
  const [nestBoot, nestStop] = [ratioOf(NEST, 'boot'), ratioOf(NEST, 'stop')];
  results.goal(
    'real application boot and stop <= 1.05x the hand-written main(), ahead of NestJS',
    boot <= 1.05 && stop <= 1.05 && boot < nestBoot && stop < nestStop,
    `boot ${boot.toFixed(3)}x, stop ${stop.toFixed(3)}x (NestJS ${nestBoot.toFixed(3)}x, ${nestStop.toFixed(3)}x); container CPU ${own.median.toFixed(0)} µs per service over the hand-written main() (${services} services)`,
  );
}
