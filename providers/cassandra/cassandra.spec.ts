import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { Client, ClientOptions } from 'cassandra-driver';
import { Container, Inject, Service } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { startCassandraTestServer } from '../../spec/support/cassandra-server';
import { bootError, eventually, freePort, invalidConfig, tcpSockets, withEnv, withTarget } from '../../spec/support/provider-spec';
import { CassandraConfig } from './cassandra.config';
import { cassandra, cassandraClientOptions } from './cassandra.provider';

const TEST = { timeout: 30_000 };
const REAL_PREFIX = 'BANDMASTER_TEST_CASSANDRA';
const REAL_CONTACT_POINTS = process.env[`${REAL_PREFIX}_CONTACT_POINTS`];

/** Where the suite's server lives: the wire-level test server, or a real one from the environment. */
interface Target {
  readonly contactPoints: readonly string[];
  /** Provider options that point at the server. */
  readonly options: { env?: string; config: Partial<CassandraConfig> };
  /** Sockets open to the server: the test server's count, or this process's TCP sockets over the baseline. */
  connections(): number;
  close(): Promise<void>;
}

async function openTarget(): Promise<Target> {
  if (REAL_CONTACT_POINTS) {
    const baseline = tcpSockets();
    const contactPoints = REAL_CONTACT_POINTS.split(',').map((point) => point.trim());
    const localDataCenter = process.env[`${REAL_PREFIX}_DATACENTER`] ?? 'datacenter1';
    // the env prefix brings _USERNAME, _PASSWORD, _TLS... when the real server needs them
    const options = { env: REAL_PREFIX, config: { contactPoints, localDataCenter } };
    return { contactPoints, options, connections: () => tcpSockets() - baseline, close: async () => undefined };
  }
  const server = await startCassandraTestServer();
  const contactPoints = [server.contactPoint];
  return { contactPoints, options: { config: { contactPoints } }, connections: () => server.connections, close: () => server.close() };
}

describe('cassandra provider', () => {
  describe(`against ${REAL_CONTACT_POINTS ? `the server at ${REAL_CONTACT_POINTS}` : 'the wire-level test server'}`, () => {
    it('passes the conformance check', TEST, () =>
      withTarget(openTarget, async (target) => {
        await checkConformance(() => cassandra({ name: 'cql-conformance', ...target.options }));
        await eventually(() => target.connections() === 0, 'every connection to close');
      }),
    );

    it('injects the connected client into a service that queries through it', TEST, () =>
      withTarget(openTarget, async (target) => {
        @Service()
        class ReleaseReader {
          constructor(@Inject('cql-1') readonly cql: Client) {}
          async releaseVersion(): Promise<string> {
            const result = await this.cql.execute('SELECT release_version FROM system.local', [], { prepare: true });
            return String(result.first().get('release_version'));
          }
        }
        const container = new Container({ logger: false });
        container.register(cassandra({ name: 'cql-1', ...target.options }), ReleaseReader);
        await container.startAll();
        try {
          assert.equal(container.resolve(ReleaseReader).cql, container.resolve('cql-1'));
          assert.match(await container.resolve(ReleaseReader).releaseVersion(), /^\d+\.\d+/);
          assert.equal((await container.health()).healthy, true);
        } finally {
          await container.stopAll();
        }
      }),
    );

    it('closes every connection on stopAll', TEST, () =>
      withTarget(openTarget, async (target) => {
        const container = new Container({ logger: false });
        container.register(cassandra({ name: 'cql-1', ...target.options }));
        await container.startAll();
        assert.ok(target.connections() > 0);
        await container.stopAll();
        await eventually(() => target.connections() === 0, 'every connection to close');
        assert.equal(container.status()[0]!.state, 'stopped');
      }),
    );
  });

  describe('start against a cluster', () => {
    it('starts when one contact point is down', TEST, () =>
      withTarget(openTarget, async (target) => {
        const contactPoints = [`127.0.0.1:${await freePort()}`, ...target.contactPoints];
        const container = new Container({ logger: false });
        container.register(cassandra({ name: 'cql-1', ...target.options, config: { ...target.options.config, contactPoints } }));
        await container.startAll();
        await container.stopAll();
        await eventually(() => target.connections() === 0, 'every connection to close');
      }),
    );
  });

  describe('start against an unreachable address', () => {
    it('fails after exactly retries + 1 attempts, naming host and port', TEST, async () => {
      const port = await freePort();
      const container = new Container({ logger: false });
      container.register(cassandra({ name: 'cql-1', config: { contactPoints: [`127.0.0.1:${port}`] }, retries: 2, backoff: 10 }));
      const error = await bootError(container.startAll());
      assert.equal(error.kind, 'ServiceStartFailure');
      assert.equal(error.service, 'cql-1');
      assert.equal(error.attempts, 3);
      assert.ok(error.message.includes(`127.0.0.1:${port}`), error.message);
      assert.equal(container.status()[0]!.attempts, 3);
    });

    it('names the default port of a contact point given without one', TEST, async () => {
      const container = new Container({ logger: false });
      container.register(cassandra({ name: 'cql-1', config: { contactPoints: ['unresolvable.invalid'] } }));
      const error = await bootError(container.startAll());
      assert.equal(error.attempts, 1);
      assert.ok(error.message.includes('unresolvable.invalid:9042'), error.message);
    });
  });

  describe('configuration', () => {
    it('defaults to a local node on port 9042 in datacenter1', () => {
      const config = new CassandraConfig();
      assert.deepEqual(config.contactPoints, ['127.0.0.1:9042']);
      assert.equal(config.localDataCenter, 'datacenter1');
      assert.equal(config.tls, false);
    });

    it('reads every field from <PREFIX>_ variables, durations and lists included', () => {
      const definition = withEnv(
        {
          CQL_SPEC_CONTACT_POINTS: '10.0.0.1, 10.0.0.2:9043',
          CQL_SPEC_LOCAL_DATA_CENTER: 'dc-east',
          CQL_SPEC_KEYSPACE: 'app',
          CQL_SPEC_USERNAME: 'svc',
          CQL_SPEC_PASSWORD: 'pa55word',
          CQL_SPEC_CONNECT_TIMEOUT: '2s',
          CQL_SPEC_READ_TIMEOUT: '1500ms',
          CQL_SPEC_TLS: 'true',
          CQL_SPEC_TLS_REJECT_UNAUTHORIZED: 'false',
        },
        () => cassandra({ name: 'cql-1', env: 'CQL_SPEC' }),
      );
      assert.equal(definition.name, 'cql-1');
      // the driver's typings leave out these two public fields
      const client = definition.useFactory() as Client & { options: ClientOptions; connected: boolean };
      const options = client.options;
      assert.deepEqual(options.contactPoints, ['10.0.0.1', '10.0.0.2:9043']);
      assert.equal(options.localDataCenter, 'dc-east');
      assert.equal(options.keyspace, 'app');
      assert.deepEqual(options.socketOptions && [options.socketOptions.connectTimeout, options.socketOptions.readTimeout], [2_000, 1_500]);
      assert.deepEqual(options.sslOptions, { rejectUnauthorized: false });
      assert.equal(client.connected, false, 'building the client does no I/O');
    });

    it('turns a username and password into PlainTextAuthProvider credentials', () => {
      const config = Object.assign(new CassandraConfig(), { username: 'svc', password: 'pa55word', tls: true });
      const options = cassandraClientOptions(config);
      assert.deepEqual(options.credentials, { username: 'svc', password: 'pa55word' });
      assert.deepEqual(options.sslOptions, { rejectUnauthorized: true });
      assert.equal(cassandraClientOptions(new CassandraConfig()).credentials, undefined);
    });

    it('rejects invalid variables with InvalidConfig naming each one, secrets masked', () => {
      const vars = { CQL_BAD_CONTACT_POINTS: 'host a', CQL_BAD_READ_TIMEOUT: 'soon', CQL_BAD_TLS: 'maybe', CQL_BAD_PASSWORD: 'hunter2' };
      const error = invalidConfig(() => withEnv(vars, () => cassandra({ name: 'cql-1', env: 'CQL_BAD' })));
      assert.deepEqual([...(error.variables ?? [])].sort(), ['CQL_BAD_CONTACT_POINTS', 'CQL_BAD_READ_TIMEOUT', 'CQL_BAD_TLS', 'CQL_BAD_USERNAME']);
      assert.ok(!error.message.includes('hunter2'), error.message);
    });

    it('rejects an invalid explicit config naming the field', () => {
      const error = invalidConfig(() => cassandra({ name: 'cql-1', config: { contactPoints: [] } }));
      assert.deepEqual(error.variables, ['config.contactPoints']);
    });

    it('masks the password in toString and inspect', () => {
      const config = Object.assign(new CassandraConfig(), { username: 'svc', password: 'hunter2' });
      for (const text of [String(config), inspect(config)]) {
        assert.ok(!text.includes('hunter2'), text);
        assert.ok(text.includes('svc'), text);
      }
    });
  });
});
