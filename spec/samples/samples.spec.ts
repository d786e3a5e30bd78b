// Runs the programs in samples/ the way a user does (compiled, in a child process) and checks
// what they print: samples are part of the product, so CI runs them.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startCassandraTestServer } from '../support/cassandra-server';
import { startElasticsearchTestServer } from '../support/elasticsearch-server';
import { startKafkaMockCluster } from '../support/kafka-mock-cluster';
import { freePort } from '../support/provider-spec';

const SAMPLES = join(__dirname, '..', '..', 'samples');

interface Run {
  readonly code: number | null;
  readonly out: string;
}

/** Runs a compiled sample; `whileRunning` may interact with it (probes, signals). */
function runSample(file: string, options: { env?: NodeJS.ProcessEnv; args?: string[]; wrap?: string[]; whileRunning?: (child: ReturnType<typeof spawn>) => Promise<void> } = {}): Promise<Run> {
  const [command = process.execPath, ...prefix] = [...(options.wrap ?? []), process.execPath];
  const child = spawn(command, [...prefix, join(SAMPLES, file), ...(options.args ?? [])], {
    env: { ...process.env, BANDMASTER_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return (options.whileRunning ? options.whileRunning(child) : Promise.resolve()).then(async () => {
    const run = await exited;
    clearTimeout(killer);
    return run;
  });
}

/** The quickstart's outcome, as the Go original's README shows it. */
function assertQuickstartOutcome(code: number | null, out: string): void {
  assert.equal(code, 0, out);
  const lines = logLines(out);
  const started = lines.filter((l) => l['msg'] === 'service successfully started').map((l) => l['service']);
  assert.deepEqual([...started].sort(), ['mc-1', 'mc-2', 'mc-3', 'rd-1'], out);
  assert.equal(lines.filter((l) => l['msg'] === 'starting service...' && l['service'] === 'mc-x').length, 4);
  assert.deepEqual(lines.filter((l) => String(l['msg']).startsWith('service failed to start, retrying in')).map((l) => l['msg']), [
    'service failed to start, retrying in 100ms...',
    'service failed to start, retrying in 200ms...',
    'service failed to start, retrying in 400ms...',
  ]);
  assert.ok(lines.some((l) => l['msg'] === 'doing stuff with our new services...' && l['rd-1 INCR bandmaster:quickstart'] !== undefined && l['mc-1 GET bandmaster:quickstart'] === 'round 1'), out);
  assert.equal(lines.filter((l) => l['msg'] === 'service successfully stopped').length, 4);
  assert.match(out, /boot report:/);
  assert.match(out, /^flowchart/m);
  assert.match(out, /boot timeline: 5 services/);
  assert.match(out, /shutdown report:/);
}

/** The JSON log lines a sample printed. */
function logLines(out: string): Record<string, unknown>[] {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('samples', () => {
  it('quickstart boots the Go example on the local memcached and Redis: mc-x fails after 4 attempts, the rest start and stop', async () => {
    const { code, out } = await runSample('quickstart.js');
    assertQuickstartOutcome(code, out);
    assert.match(out, /^demo servers: memcached at 127\.0\.0\.1:11211; Redis at 127\.0\.0\.1:6379$/m);
  });

  it('quickstart shows the same outcome through in-process stand-ins when no server answers, and says so', async () => {
    const [mc, rd] = [await freePort(), await freePort()];
    const { code, out } = await runSample('quickstart.js', { env: { MC_EXAMPLE_SERVERS: `127.0.0.1:${mc}`, RD_EXAMPLE_URI: `redis://127.0.0.1:${rd}` } });
    assertQuickstartOutcome(code, out);
    assert.match(out, new RegExp(`^demo servers: no memcached at 127\\.0\\.0\\.1:${mc}: an in-process stand-in on port \\d+; no Redis at 127\\.0\\.0\\.1:${rd}: an in-process stand-in .*npm run services`, 'm'));
  });

  it('quickstart shows the same outcome in an empty network namespace, a machine with no servers at all', async () => {
    const ns = `bandmaster-demo-${process.pid}`;
    const ip = (...args: string[]): void => {
      const result = spawnSync('ip', args, { encoding: 'utf8' });
      assert.equal(result.status, 0, `\`ip ${args.join(' ')}\` failed (${result.error?.message ?? result.stderr.trim()}): this spec needs root and iproute2 (apt-get install -y iproute2)`);
    };
    ip('netns', 'add', ns);
    try {
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      const { code, out } = await runSample('quickstart.js', { wrap: ['ip', 'netns', 'exec', ns] });
      assertQuickstartOutcome(code, out);
      assert.match(out, /^demo servers: no memcached at 127\.0\.0\.1:11211: an in-process stand-in .*; no Redis at 127\.0\.0\.1:6379: an in-process stand-in/m);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });

  it('quickstart runs to its end when no server answers and stand-ins are off: every service fails visibly, exit code 0', async () => {
    const [mc, rd] = [await freePort(), await freePort()];
    const { code, out } = await runSample('quickstart.js', { env: { MC_EXAMPLE_SERVERS: `127.0.0.1:${mc}`, RD_EXAMPLE_URI: `redis://127.0.0.1:${rd}`, BANDMASTER_DEMO_STAND_INS: 'off' } });
    assert.equal(code, 0, out);
    const failed = logLines(out).filter((l) => l['msg'] === 'service failed to start').map((l) => l['service']);
    assert.deepEqual([...new Set(failed)].sort(), ['mc-1', 'mc-2', 'mc-3', 'mc-x', 'rd-1']);
    assert.match(out, /shutdown report:/);
  });

  it('all-providers boots all seven providers (Cassandra, Elasticsearch and Kafka on test servers) and a service using them', async () => {
    // each server is closed whatever happens to the others: a missing kcat must not leave two
    // test servers holding the process open
    const starting = [startCassandraTestServer(), startElasticsearchTestServer(), startKafkaMockCluster({ brokers: 1 })] as const;
    const settled = await Promise.allSettled(starting);
    try {
      const failure = settled.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
      const [cql, es, kafka] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [Awaited<(typeof starting)[0]>, Awaited<(typeof starting)[1]>, Awaited<(typeof starting)[2]>];
      const { code, out } = await runSample('all-providers.js', {
        env: { CQL_EXAMPLE_CONTACT_POINTS: cql.contactPoint, ES_EXAMPLE_NODES: es.url, KAFKA_EXAMPLE_BROKERS: kafka.brokers.join(',') },
      });
      assert.equal(code, 0, out);
      const started = logLines(out).filter((l) => l['msg'] === 'service successfully started').map((l) => l['service']);
      assert.deepEqual([...started].sort(), ['Inventory', 'cql-1', 'es-1', 'kfk-1', 'mc-1', 'nts-1', 'rd-1', 'sql-1']);
      const health = logLines(out).find((l) => l['msg'] === 'health');
      assert.equal(health?.['healthy'], true);
      assert.ok(Object.values(health?.['services'] as Record<string, boolean>).every(Boolean), out);
    } finally {
      await Promise.allSettled(settled.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    }
  });

  it('timeline prints the graph and the Gantt chart, and writes a self-contained SVG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bandmaster-timeline-'));
    try {
      const file = join(dir, 'boot.svg');
      const { code, out } = await runSample('timeline.js', { args: [file] });
      assert.equal(code, 0, out);
      assert.match(out, /^flowchart LR/m);
      assert.match(out, /critical path/);
      const svg = readFileSync(file, 'utf8');
      assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.ok(!/<script|https?:\/\/(?!www\.w3\.org)/.test(svg), 'no script and no external resource');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scopes serves requests each in its own scope on the real PostgreSQL: commits two, rolls back the failed one, and the pool ends idle', async () => {
    const { code, out } = await runSample('scopes.js');
    assert.equal(code, 0, out);
    assert.match(out, /^POST \/buy milk: 201 saved$/m);
    assert.match(out, /^POST \/this one should fail: 500 `Notes`: refusing "this one should fail"$|^POST \/this one should fail: 500 refusing "this one should fail"$/m);
    assert.match(out, /^\/this%20one%20should%20fail: rolled back$/m);
    assert.match(out, /^\/buy%20milk: committed$/m);
    assert.match(out, /^notes: buy milk, call mum$/m);
    assert.match(out, /^pool: (\d+) clients, \1 idle$/m);
  });

  it('health-server answers the Kubernetes probes over HTTP and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const { code, out } = await runSample('health-server.js', {
      env: { PORT: String(port) },
      whileRunning: async (child) => {
        const url = `http://127.0.0.1:${port}`;
        let ready: Response | undefined;
        for (let i = 0; i < 200 && ready?.status !== 200; i++) {
          ready = await fetch(`${url}/readyz`).catch(() => undefined);
          if (ready?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        assert.equal(ready?.status, 200);
        assert.equal((await fetch(`${url}/livez`)).status, 200);
        child.kill('SIGTERM');
      },
    });
    assert.equal(code, 0, out);
  });
});
