// Runs the programs in samples/ the way a user does (compiled, in a child process) and checks
// what they print: samples are part of the product, so CI runs them.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** The program and leading arguments that run node (default: this node). */
  command?: [string, ...string[]];
  whileRunning?: (child: ReturnType<typeof spawn>) => Promise<void>;
}

/** Runs a compiled sample; `whileRunning` may interact with it (probes, signals). */
function runSample(file: string, options: RunOptions = {}): Promise<Run> {
  const [program, ...leading] = options.command ?? [process.execPath];
  const child = spawn(program, [...leading, join(SAMPLES, file), ...(options.args ?? [])], {
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

/** What the quickstart must show wherever it runs: the Go README's outcome. */
function assertQuickstartOutcome(out: string): void {
  const lines = logLines(out);
  const started = lines.filter((l) => l['msg'] === 'service successfully started').map((l) => l['service']);
  assert.deepEqual([...started].sort(), ['mc-1', 'mc-2', 'mc-3', 'rd-1'], out);
  assert.equal(lines.filter((l) => l['msg'] === 'starting service...' && l['service'] === 'mc-x').length, 4, out);
  assert.deepEqual(lines.filter((l) => String(l['msg']).startsWith('service failed to start, retrying in')).map((l) => l['msg']), [
    'service failed to start, retrying in 100ms...',
    'service failed to start, retrying in 200ms...',
    'service failed to start, retrying in 400ms...',
  ]);
  const work = lines.filter((l) => l['msg'] === 'doing stuff with our new services...');
  assert.deepEqual(work.map((l) => l['mc-1 GET bandmaster:quickstart']), ['round 1', 'round 2', 'round 3'], out);
  assert.ok(work.every((l) => typeof l['rd-1 INCR bandmaster:quickstart'] === 'number'), out);
  assert.match(out, /^boot report:\n[\s\S]*^mc-x +failed/m);
  assert.match(out, /^flowchart LR/m);
  assert.match(out, /boot timeline: 5 services/);
  assert.equal(lines.filter((l) => l['msg'] === 'service successfully stopped').length, 4, out);
  assert.match(out, /shutdown report:\n[\s\S]*5 services, 0 errors/);
}

/** The JSON log lines a sample printed. */
function logLines(out: string): Record<string, unknown>[] {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('samples', () => {
  it('quickstart boots the Go example on the local memcached and Redis: mc-x fails after 4 attempts, the rest start and stop', async () => {
    const { code, out } = await runSample('quickstart.js');
    assert.equal(code, 0, out);
    assertQuickstartOutcome(out);
  });

  it('the demo shows the same outcome on stand-ins in an empty network namespace, where no server answers', async () => {
    const ns = `bandmaster-demo-${process.pid}-${randomBytes(3).toString('hex')}`;
    const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
    assert.equal(
      add.status,
      0,
      `this spec needs \`ip netns add\` (iproute2, run as root, as CI does): ${add.error?.message ?? add.stderr.trim()}; install iproute2 or run the suite as root`,
    );
    try {
      const lo = spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
      assert.equal(lo.status, 0, lo.stderr);
      // unset: the demo then looks at the default ports, where nothing listens in this namespace
      const env = { MC_EXAMPLE_SERVERS: undefined, RD_EXAMPLE_URI: undefined };
      const { code, out } = await runSample('quickstart.js', { command: ['ip', 'netns', 'exec', ns, process.execPath], env });
      assert.equal(code, 0, out);
      assert.match(out, /^no memcached on 127\.0\.0\.1:11211 and no Redis on 127\.0\.0\.1:6379: using in-process stand-ins .*`npm run services` or `docker compose up -d memcached redis`$/m);
      assertQuickstartOutcome(out);
    } finally {
      spawnSync('ip', ['netns', 'delete', ns]);
    }
  });

  it('quickstart runs to its end when no server answers: every service fails visibly, exit code 0', async () => {
    const [mc, rd] = [await freePort(), await freePort()];
    const { code, out } = await runSample('quickstart.js', { env: { MC_EXAMPLE_SERVERS: `127.0.0.1:${mc}`, RD_EXAMPLE_URI: `redis://127.0.0.1:${rd}` } });
    assert.equal(code, 0, out);
    const failed = logLines(out).filter((l) => l['msg'] === 'service failed to start').map((l) => l['service']);
    assert.deepEqual([...new Set(failed)].sort(), ['mc-1', 'mc-2', 'mc-3', 'mc-x', 'rd-1']);
    assert.match(out, /shutdown report:/);
  });

  it('all-providers boots all seven providers (Cassandra, Elasticsearch and Kafka on test servers) and a service using them', async () => {
    // every server that did start is closed, even when another could not (kcat missing): no hang
    const starting = [startCassandraTestServer(), startElasticsearchTestServer(), startKafkaMockCluster({ brokers: 1 })] as const;
    const settled = await Promise.allSettled(starting);
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) {
      await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
      throw failure.reason;
    }
    const [cql, es, kafka] = await Promise.all(starting);
    try {
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
      await Promise.all([cql.close(), es.close(), kafka.close()]);
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
