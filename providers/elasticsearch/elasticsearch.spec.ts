import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { Client } from '@elastic/elasticsearch';
import { BootError, Container, Inject, Service, loadEnv } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { startElasticsearchTestServer } from '../../spec/support/elasticsearch-server';
import { eventually, freePort, invalidConfig, tcpSockets, withTarget } from '../../spec/support/provider-spec';
import { ElasticsearchConfig } from './elasticsearch.config';
import { elasticsearch, elasticsearchClientOptions } from './elasticsearch.provider';

const TEST = { timeout: 30_000 };
const REAL_PREFIX = 'BANDMASTER_TEST_ELASTICSEARCH';
const REAL_NODE = process.env[`${REAL_PREFIX}_NODE`];

/** Where the suite's server lives: the wire-level test server (with basic auth), or a real one from the environment. */
interface Target {
  /** Provider options that point at the server. */
  readonly options: { env?: string; config: Partial<ElasticsearchConfig> };
  /** Sockets open to the server: the test server's count, or this process's TCP sockets over the baseline. */
  connections(): number;
  close(): Promise<void>;
}

async function openTarget(): Promise<Target> {
  if (REAL_NODE) {
    const baseline = tcpSockets();
    return { options: { env: REAL_PREFIX, config: { nodes: [REAL_NODE] } }, connections: () => tcpSockets() - baseline, close: async () => undefined };
  }
  const server = await startElasticsearchTestServer({ username: 'elastic', password: 'spec-password' });
  const config = { nodes: [server.url], username: 'elastic', password: 'spec-password' };
  return { options: { config }, connections: () => server.connections, close: () => server.close() };
}

@Service()
class Notes {
  readonly index = `bandmaster-spec-${randomUUID()}`;
  constructor(@Inject('es-1') readonly es: Client) {}

  async add(id: string, text: string): Promise<void> {
    await this.es.index({ index: this.index, id, document: { text }, refresh: true });
  }

  async onStop(): Promise<void> {
    await this.es.indices.delete({ index: this.index }, { ignore: [404] });
  }
}

describe('elasticsearch provider', () => {
  describe(`against ${REAL_NODE ? 'the server in BANDMASTER_TEST_ELASTICSEARCH_NODE' : 'the wire-level test server'}`, () => {
    it('passes the conformance check', TEST, () =>
      withTarget(openTarget, async (target) => {
        await checkConformance(() => elasticsearch({ name: 'es-conformance', ...target.options }));
        await eventually(() => target.connections() === 0, 'every connection to close');
      }),
    );

    it('injects the started client: index, get and search round trips', TEST, () =>
      withTarget(openTarget, async (target) => {
        const container = new Container({ logger: false });
        container.register(elasticsearch({ name: 'es-1', ...target.options }), Notes);
        await container.startAll();
        try {
          const notes = container.resolve(Notes);
          assert.equal(notes.es, container.resolve('es-1'));
          await notes.add('n1', 'hello');
          const got = await notes.es.get<{ text: string }>({ index: notes.index, id: 'n1' });
          assert.deepEqual(got._source, { text: 'hello' });
          const found = await notes.es.search<{ text: string }>({ index: notes.index });
          assert.deepEqual(found.hits.hits.map((hit) => hit._source), [{ text: 'hello' }]);
          assert.equal((await container.health()).healthy, true);
        } finally {
          await container.stopAll();
        }
      }),
    );

    it('closes every connection on stopAll', TEST, () =>
      withTarget(openTarget, async (target) => {
        const container = new Container({ logger: false });
        container.register(elasticsearch({ name: 'es-1', ...target.options }));
        await container.startAll();
        assert.ok(target.connections() > 0);
        await container.stopAll();
        await eventually(() => target.connections() === 0, 'every connection to close');
        assert.equal(container.status()[0]!.state, 'stopped');
      }),
    );
  });

  describe('start against an unreachable address', () => {
    it('fails after exactly retries + 1 attempts, naming host and port', TEST, async () => {
      const port = await freePort();
      const container = new Container({ logger: false });
      container.register(elasticsearch({ name: 'es-1', config: { nodes: [`http://127.0.0.1:${port}`] }, retries: 2, backoff: 10 }));
      const error = await container.startAll().then(() => assert.fail('expected the boot to fail'), (e: unknown) => e);
      assert.ok(error instanceof BootError);
      const [failure] = error.errors;
      assert.equal(failure!.kind, 'ServiceStartFailure');
      assert.equal(failure!.service, 'es-1');
      assert.equal(failure!.attempts, 3);
      assert.ok(failure!.message.includes(`127.0.0.1:${port}`), failure!.message);
    });
  });

  describe('configuration', () => {
    it('defaults to a local node on port 9200 with a 30s request timeout', () => {
      const config = new ElasticsearchConfig();
      assert.deepEqual(config.nodes, ['http://127.0.0.1:9200']);
      assert.equal(config.requestTimeout, 30_000);
      assert.equal(config.maxRetries, 3);
    });

    it('reads every field from <PREFIX>_ variables, durations and lists included', () => {
      const env = {
        ES_SPEC_NODES: 'https://es-1:9200, https://es-2:9200',
        ES_SPEC_API_KEY: 'a2V5OnNlY3JldA==',
        ES_SPEC_REQUEST_TIMEOUT: '10s',
        ES_SPEC_MAX_RETRIES: '5',
        ES_SPEC_TLS_REJECT_UNAUTHORIZED: 'false',
      };
      const options = elasticsearchClientOptions(loadEnv(ElasticsearchConfig, 'ES_SPEC', env), 'es-1');
      assert.deepEqual(options.nodes, ['https://es-1:9200', 'https://es-2:9200']);
      assert.deepEqual(options.auth, { apiKey: 'a2V5OnNlY3JldA==' });
      assert.equal(options.requestTimeout, 10_000);
      assert.equal(options.maxRetries, 5);
      assert.deepEqual(options.tls, { rejectUnauthorized: false });
      assert.equal(options.name, 'es-1');
    });

    it('uses basic auth for a username and password, and a cloud id instead of nodes', () => {
      const config = Object.assign(new ElasticsearchConfig(), { username: 'elastic', password: 'pw', cloudId: 'prod:ZXhhbXBsZQ==' });
      const options = elasticsearchClientOptions(config);
      assert.deepEqual(options.auth, { username: 'elastic', password: 'pw' });
      assert.deepEqual(options.cloud, { id: 'prod:ZXhhbXBsZQ==' });
      assert.equal(options.nodes, undefined);
    });

    it('builds the client without any I/O', () => {
      const definition = elasticsearch({ name: 'es-1', config: { nodes: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] } });
      const client = definition.useFactory() as Client;
      assert.equal(client.connectionPool.size, 2);
      return client.close();
    });

    it('rejects invalid variables with InvalidConfig naming each one, secrets masked', () => {
      const env = {
        ES_BAD_NODES: 'es-1:9200',
        ES_BAD_REQUEST_TIMEOUT: 'soon',
        ES_BAD_MAX_RETRIES: '-1',
        ES_BAD_TLS_REJECT_UNAUTHORIZED: 'maybe',
        ES_BAD_USERNAME: 'elastic',
        ES_BAD_API_KEY: 'hunter2-key',
      };
      const error = invalidConfig(() => loadEnv(ElasticsearchConfig, 'ES_BAD', env));
      const expected = ['ES_BAD_API_KEY', 'ES_BAD_MAX_RETRIES', 'ES_BAD_NODES', 'ES_BAD_REQUEST_TIMEOUT', 'ES_BAD_TLS_REJECT_UNAUTHORIZED'];
      assert.deepEqual([...(error.variables ?? [])].sort(), expected);
      assert.ok(!error.message.includes('hunter2'), error.message);
    });

    it('rejects an invalid explicit config naming the field', () => {
      const error = invalidConfig(() => elasticsearch({ name: 'es-1', config: { password: 'pw' } }));
      assert.deepEqual(error.variables, ['config.username']);
    });

    it('masks secrets, URL credentials included, in toString and inspect', () => {
      const config = Object.assign(new ElasticsearchConfig(), { nodes: ['http://elastic:url-secret@es-1:9200'], username: 'elastic', password: 'hunter2' });
      for (const text of [String(config), inspect(config)]) {
        for (const secret of ['hunter2', 'url-secret']) assert.ok(!text.includes(secret), text);
        assert.ok(text.includes('es-1:9200'), text);
      }
    });
  });
});
