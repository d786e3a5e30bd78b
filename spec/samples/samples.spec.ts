// Runs the programs in samples/ the way a user does (compiled, in a child process) and checks
// what they print: samples are part of the product, so CI runs them.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
function runSample(file: string, options: { env?: NodeJS.ProcessEnv; args?: string[]; whileRunning?: (child: ReturnType<typeof spawn>) => Promise<void> } = {}): Promise<Run> {
  const child = spawn(process.execPath, [join(SAMPLES, file), ...(options.args ?? [])], {
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

/** The JSON log lines a sample printed. */
function logLines(out: string): Record<string, unknown>[] {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('samples', () => {
  it('quickstart boots the Go example on the local memcached and Redis: mc-x fails after 4 attempts, the rest start and stop', async () => {
    const { code, out } = await runSample('quickstart.js');
    assert.equal(code, 0, out);
    const lines = logLines(out);
    const started = lines.filter((l) => l['msg'] === 'service successfully started').map((l) => l['service']);
    assert.deepEqual([...started].sort(), ['mc-1', 'mc-2', 'mc-3', 'rd-1']);
    assert.equal(lines.filter((l) => l['msg'] === 'starting service...' && l['service'] === 'mc-x').length, 4);
    assert.deepEqual(lines.filter((l) => String(l['msg']).startsWith('service failed to start, retrying in')).map((l) => l['msg']), [
      'service failed to start, retrying in 100ms...',
      'service failed to start, retrying in 200ms...',
      'service failed to start, retrying in 400ms...',
    ]);
    assert.equal(lines.filter((l) => l['msg'] === 'service successfully stopped').length, 4);
    assert.match(out, /boot timeline: 5 services/);
    assert.match(out, /shutdown report:/);
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
    const [cql, es, kafka] = await Promise.all([startCassandraTestServer(), startElasticsearchTestServer(), startKafkaMockCluster({ brokers: 1 })]);
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
