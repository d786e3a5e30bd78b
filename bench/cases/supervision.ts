// What supervision costs while nothing goes wrong: 1,000 started services, each with a health
// check, polled every second; CPU time of the process (process.cpuUsage, user + system) over a
// window of ~10 s, as a share of one core, beside the same container without polling.
import 'reflect-metadata';
import { Container } from '../../lib';
import type { Results } from '../report';
import type { SuiteConfig } from '../suite';

const SERVICES = 1_000;
const INTERVAL_MS = 1_000;

/** Starts the services (a health check each when `polled`), waits `windowMs`, and returns the CPU share of one core and the checks run. */
async function measure(polled: boolean, windowMs: number): Promise<{ cpuPercent: number; checks: number }> {
  let checks = 0;
  const container = new Container({ logger: false, ...(polled ? { healthInterval: INTERVAL_MS } : {}) });
  for (let i = 0; i < SERVICES; i++) {
    container.register({
      name: `svc-${i}`,
      useFactory: () => ({ i }),
      // an async check, as a client's ping is
      healthCheck: async () => void checks++,
    });
  }
  await container.startAll();
  // the boot's own work is not counted: the window opens once it settled
  await new Promise((resolve) => setTimeout(resolve, 200));
  checks = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // a ref'd timer keeps the process alive: the poll's timer is unref'd
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const used = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  await container.stopAll();
  return { cpuPercent: ((used.user + used.system) / 1000 / wall) * 100, checks };
}

export async function supervisionCase(results: Results, config: SuiteConfig): Promise<void> {
  const windowMs = config.quick ? 5_000 : 10_000;
  const kase = `supervision: CPU, ${SERVICES.toLocaleString('en-US')} started services, ${windowMs / 1000} s window`;
  config.log(`${kase}: idle`);
  const idle = await measure(false, windowMs);
  config.log(`${kase}: health checks polled every ${INTERVAL_MS} ms`);
  const polled = await measure(true, windowMs);
  results.valueRow(kase, 'no health poll', [idle.cpuPercent], '% of a core', undefined, 'the process itself, idle');
  results.valueRow(kase, `health checks every ${INTERVAL_MS / 1000} s`, [polled.cpuPercent], '% of a core', undefined, `${polled.checks.toLocaleString('en-US')} checks run`);
  results.record(kase, 'checks', polled.checks);
  const cost = polled.cpuPercent - idle.cpuPercent;
  results.goal(`supervision of ${SERVICES.toLocaleString('en-US')} services with a health check polled every second costs under 1% of one core`, cost < 1, `${cost.toFixed(2)}% of a core (${polled.cpuPercent.toFixed(2)}% polled, ${idle.cpuPercent.toFixed(2)}% idle), ${polled.checks} checks in ${windowMs / 1000} s`);
}
