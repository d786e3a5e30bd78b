// `npm run demo:all` with DEMO_SUCCESSORS=1: the sample boots the 2026 successors (Kafka on
// @platformatic/kafka, node-redis, nats.js v3) beside the seven providers, compiled and in a child
// process as a user runs it.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startCassandraTestServer } from '../support/cassandra-server';
import { startElasticsearchTestServer } from '../support/elasticsearch-server';
import { startKafkaTestBroker } from '../support/kafka-broker';
import { startKafkaMockCluster } from '../support/kafka-mock-cluster';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'all-providers.js');

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [SAMPLE], { env: { ...process.env, BANDMASTER_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, out });
    }),
  );
}

const logLines = (out: string): Record<string, unknown>[] => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('samples', () => {
  it('all-providers with DEMO_SUCCESSORS=1 also boots @platformatic/kafka, node-redis and nats.js v3, and every one answers', { timeout: 60_000 }, async () => {
    const starting = [startCassandraTestServer(), startElasticsearchTestServer(), startKafkaMockCluster({ brokers: 1 }), startKafkaTestBroker()] as const;
    const settled = await Promise.allSettled(starting);
    try {
      const failure = settled.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
      const [cql, es, kafka, broker] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
        Awaited<(typeof starting)[0]>,
        Awaited<(typeof starting)[1]>,
        Awaited<(typeof starting)[2]>,
        Awaited<(typeof starting)[3]>,
      ];
      const { code, out } = await run({
        DEMO_SUCCESSORS: '1',
        CQL_EXAMPLE_CONTACT_POINTS: cql.contactPoint,
        ES_EXAMPLE_NODES: es.url,
        KAFKA_EXAMPLE_BROKERS: kafka.brokers.join(','),
        KAFKA_PLT_EXAMPLE_BROKERS: broker.broker,
      });
      assert.equal(code, 0, out);
      const started = logLines(out).filter((l) => l['msg'] === 'service successfully started').map((l) => l['service']);
      for (const service of ['kfk-plt', 'nrd-1', 'nts-3', 'Successors', 'Inventory']) assert.ok(started.includes(service), `${service} started:\n${out}`);
      const said = logLines(out).find((l) => l['msg'] === 'what each server said to the successors');
      assert.deepEqual([said?.['@platformatic/kafka'], said?.['node-redis']], ['1', 'PONG'], out);
      assert.match(String(said?.['nats.js v3']), /^127\.0\.0\.1:4222$|:\d+$/);
      const health = logLines(out).find((l) => l['msg'] === 'health');
      assert.equal(health?.['healthy'], true, out);
    } finally {
      await Promise.allSettled(settled.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    }
  });
});
