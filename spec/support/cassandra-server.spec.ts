import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, errors, types, type ClientOptions } from 'cassandra-driver';
import { Opcode } from './cassandra/frame-codec';
import { RawCqlClient, readError } from './cassandra/raw-client';
import {
  startCassandraTestServer,
  type CassandraTestServer,
  type CassandraTestServerOptions,
} from './cassandra-server';

const TEST_TIMEOUT = { timeout: 10_000 };

async function withServer(
  options: CassandraTestServerOptions,
  body: (server: CassandraTestServer) => Promise<void>,
): Promise<void> {
  const server = await startCassandraTestServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

async function withClient(
  server: CassandraTestServer,
  overrides: Partial<ClientOptions>,
  body: (client: Client) => Promise<void>,
): Promise<void> {
  const client = new Client({ contactPoints: [server.contactPoint], localDataCenter: 'datacenter1', ...overrides });
  try {
    await body(client);
  } finally {
    await client.shutdown();
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Inner errors of a NoHostAvailableError, one per contact point tried. */
function innerErrors(err: unknown): Error[] {
  assert.ok(err instanceof errors.NoHostAvailableError, `expected NoHostAvailableError, got ${String(err)}`);
  return Object.values(err.innerErrors as Record<string, Error>);
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length;
}

describe('startCassandraTestServer', () => {
  it('listens on an ephemeral 127.0.0.1 port by default', TEST_TIMEOUT, async () => {
    const server = await startCassandraTestServer();
    try {
      assert.equal(server.host, '127.0.0.1');
      assert.ok(server.port > 0);
      assert.equal(server.contactPoint, `127.0.0.1:${server.port}`);
      assert.equal(server.connections, 0);
      assert.deepEqual(server.queries, []);
    } finally {
      await server.close();
    }
  });

  it('rejects invalid options', TEST_TIMEOUT, async () => {
    await assert.rejects(startCassandraTestServer({ port: 70_000 }), RangeError);
    await assert.rejects(startCassandraTestServer({ faults: { delayMs: -1 } }), RangeError);
  });

  it('serves connect, a health-check query and shutdown with metadata sync on', TEST_TIMEOUT, async () => {
    await withServer({}, async (server) => {
      const options = { protocolOptions: { port: server.port } };
      await withClient(server, options, async (client) => {
        await client.connect();
        assert.equal(server.connections, 1);
        const result = await client.execute('SELECT release_version FROM system.local');
        assert.equal(result.first().get('release_version'), '4.0.11');
        assert.deepEqual(client.hosts.keys(), [server.contactPoint]);
      });
      await waitFor(() => server.connections === 0, 'the driver to close its sockets');
      assert.deepEqual(server.queries.slice(0, 3), [
        "SELECT * FROM system.local WHERE key='local'",
        'SELECT * FROM system.peers',
        'SELECT * FROM system_schema.keyspaces',
      ]);
      assert.ok(server.queries.includes('SELECT release_version FROM system.local'));
    });
  });

  it('serves connect, a health-check query and shutdown with metadata sync off', TEST_TIMEOUT, async () => {
    await withServer({}, async (server) => {
      await withClient(server, { isMetadataSyncEnabled: false }, async (client) => {
        await client.connect();
        const result = await client.execute('SELECT release_version FROM system.local');
        assert.equal(result.rowLength, 1);
      });
      await waitFor(() => server.connections === 0, 'the driver to close its sockets');
      assert.ok(!server.queries.some((query) => query.includes('system_schema')));
    });
  });

  it('tracks open connections across several clients', TEST_TIMEOUT, async () => {
    await withServer({}, async (server) => {
      await withClient(server, {}, async (first) => {
        await withClient(server, {}, async (second) => {
          await Promise.all([first.connect(), second.connect()]);
          assert.equal(server.connections, 2);
        });
        await waitFor(() => server.connections === 1, 'the second client to disconnect');
      });
      await waitFor(() => server.connections === 0, 'the first client to disconnect');
    });
  });

  it('reports its data center, and the driver rejects a different local one', TEST_TIMEOUT, async () => {
    await withServer({ dataCenter: 'dc-east' }, async (server) => {
      await withClient(server, { localDataCenter: 'dc-east' }, async (client) => {
        await client.connect();
        assert.equal(client.hosts.values()[0]?.datacenter, 'dc-east');
      });
      await withClient(server, { localDataCenter: 'datacenter1' }, async (client) => {
        await assert.rejects(client.connect(), /only found hosts in data centers: \[dc-east\]/);
      });
    });
  });

  it('answers system.local selections, now() and prepared statements', TEST_TIMEOUT, async () => {
    await withServer({}, async (server) => {
      await withClient(server, {}, async (client) => {
        const local = (await client.execute('SELECT * FROM system.local')).first();
        assert.equal(local.get('partitioner'), 'org.apache.cassandra.dht.Murmur3Partitioner');
        assert.deepEqual(local.get('tokens'), ['-9223372036854775808']);
        assert.ok(local.get('host_id') instanceof types.Uuid);
        assert.ok(local.get('rpc_address') instanceof types.InetAddress);
        assert.equal(String(local.get('rpc_address')), '127.0.0.1');

        const now: unknown = (await client.execute('SELECT now() AS ts FROM system.local')).first().get('ts');
        assert.ok(now instanceof types.TimeUuid);
        assert.ok(Math.abs(now.getDate().getTime() - Date.now()) < 5_000);

        const prepared = await client.execute('SELECT cluster_name FROM system.local', [], { prepare: true });
        assert.equal(prepared.first().get('cluster_name'), 'Test Cluster');
      });
    });
  });

  it('rejects unknown tables, columns and statements with CQL errors', TEST_TIMEOUT, async () => {
    await withServer({}, async (server) => {
      await withClient(server, {}, async (client) => {
        const invalid = { name: 'ResponseError', code: 0x2200 };
        await assert.rejects(client.execute('SELECT * FROM app.users'), { ...invalid, message: 'unconfigured table users' });
        await assert.rejects(client.execute('SELECT nope FROM system.local'), { ...invalid, message: /Undefined column name nope/ });
        await assert.rejects(client.execute('EXPLODE'), { name: 'ResponseError', code: 0x2000 });
      });
    });
  });

  it('answers a newer protocol version with a v4 protocol error so drivers step down', TEST_TIMEOUT, async () => {
    await withServer({}, async (server) => {
      const raw = await RawCqlClient.connect(server.port, server.host);
      raw.startup(0x05, 7);
      const response = await raw.next();
      assert.deepEqual([response.versionByte, response.streamId, response.opcode], [0x84, 7, Opcode.error]);
      const { code, message } = readError(response.body);
      assert.equal(code, 0x000a);
      assert.match(message, /^Invalid or unsupported protocol version \(5\)/);
      raw.destroy();
    });
  });

  it('rejects requests sent before STARTUP', TEST_TIMEOUT, async () => {
    await withServer({}, async (server) => {
      const raw = await RawCqlClient.connect(server.port, server.host);
      const query = Buffer.from('000000055553452078000100', 'hex'); // [long string] 'USE x', consistency ONE, no flags
      raw.send(0x04, 1, Opcode.query, query);
      const { code, message } = readError((await raw.next()).body);
      assert.equal(code, 0x000a);
      assert.match(message, /expecting STARTUP or OPTIONS/);
      assert.deepEqual(server.queries, []);
      raw.destroy();
    });
  });

  it('close() destroys client sockets, stops listening and can be repeated', TEST_TIMEOUT, async () => {
    const server = await startCassandraTestServer();
    const raw = await RawCqlClient.connect(server.port, server.host);
    raw.startup(0x04);
    assert.equal((await raw.next()).opcode, Opcode.ready);
    assert.equal(server.connections, 1);
    const socketClosed = new Promise((resolve) => raw.socket.once('close', resolve));

    await server.close();
    assert.equal(server.connections, 0);
    await socketClosed;
    await server.close();
    await assert.rejects(RawCqlClient.connect(server.port, server.host), { code: 'ECONNREFUSED' });
  });

  it('leaves no TCP handles behind once the client and server are closed', TEST_TIMEOUT, async () => {
    const baseline = tcpHandles();
    await withServer({}, async (server) => {
      await withClient(server, {}, async (client) => {
        await client.execute('SELECT release_version FROM system.local');
        assert.ok(tcpHandles() > baseline);
      });
    });
    await waitFor(() => tcpHandles() === baseline, 'TCP handles to be released');
  });
});

describe('CassandraTestServer faults', () => {
  it('delayMs makes a client with a short readTimeout fail to connect', TEST_TIMEOUT, async () => {
    await withServer({ faults: { delayMs: 300 } }, async (server) => {
      const socketOptions = { readTimeout: 50, connectTimeout: 1_000 };
      await withClient(server, { socketOptions }, async (client) => {
        const err = await client.connect().then(() => assert.fail('connect should time out'), (e: unknown) => e);
        const [inner] = innerErrors(err);
        assert.ok(inner instanceof errors.OperationTimedOutError, String(inner));
      });
    });
  });

  it('delayMs set at runtime slows queries until cleared', TEST_TIMEOUT, async () => {
    await withServer({}, async (server) => {
      await withClient(server, {}, async (client) => {
        await client.connect();
        server.setFaults({ delayMs: 300 });
        const query = 'SELECT release_version FROM system.local';
        await assert.rejects(client.execute(query, [], { readTimeout: 50 }), errors.OperationTimedOutError);
        const started = Date.now();
        await client.execute(query);
        assert.ok(Date.now() - started >= 250, 'a slow response still arrives within the default timeout');
        server.setFaults({});
        assert.equal((await client.execute(query, [], { readTimeout: 200 })).rowLength, 1);
      });
    });
  });

  it('dropAfterStartup makes connect fail with a socket error', TEST_TIMEOUT, async () => {
    await withServer({ faults: { dropAfterStartup: true } }, async (server) => {
      await withClient(server, {}, async (client) => {
        const err = await client.connect().then(() => assert.fail('connect should fail'), (e: unknown) => e);
        const [inner] = innerErrors(err);
        assert.match(String(inner?.message), /Socket was closed/);
      });
      await waitFor(() => server.connections === 0, 'dropped sockets to close');
      assert.deepEqual(server.queries, []);
    });
  });

  it('failQueries makes matching statements reject with a server error', TEST_TIMEOUT, async () => {
    await withServer({ faults: { failQueries: 'app.users' } }, async (server) => {
      await withClient(server, {}, async (client) => {
        await client.connect();
        await assert.rejects(client.execute('SELECT * FROM app.users'), {
          name: 'ResponseError',
          code: 0x0000,
          message: "Injected failure for query containing 'app.users'",
        });
        assert.equal((await client.execute('SELECT release_version FROM system.local')).rowLength, 1);
        server.setFaults({ failQueries: 'system.local' });
        await assert.rejects(client.execute('SELECT release_version FROM system.local'), { code: 0x0000 });
      });
    });
  });
});
