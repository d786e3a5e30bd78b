import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { describe, it, type TestContext } from 'node:test';
import { Client } from 'pg';
import { BootError, Container, Inject, Service, isBandmasterError, type OnStart } from '../../lib/index';
import { checkConformance } from '../../lib/testing';
import { freePort, pollUntil } from '../../spec/support/provider-spec';
import { SqlConfig, sql, type Pool } from './index';
import { poolConfig } from './sql.provider';

/** The server under test: a local one unless `BANDMASTER_TEST_SQL_URL` points elsewhere. */
const SQL_URL = process.env['BANDMASTER_TEST_SQL_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function uniqueName(): string {
  return `sql-${randomUUID().slice(0, 8)}`;
}

/** The test server's URL with another port. */
function urlWithPort(port: number): string {
  const url = new URL(SQL_URL);
  url.port = String(port);
  return url.toString();
}

/** A TCP server that accepts connections and never answers, and what a test asks of it. */
interface SilentServer {
  readonly port: number;
  /** The first connection, with its close taken at accept: the client may close before the test looks. */
  readonly accepted: Promise<{ closed: Promise<unknown> }>;
  /** Resolves once every connection already made is accepted and every one of them closed. */
  readonly allClosed: () => Promise<void>;
}

/** A connect that hangs mid-handshake: the server accepts and never answers. Cleaned up when the test ends. */
async function silentServer(t: TestContext): Promise<SilentServer> {
  const server = createServer();
  const open = new Set<Socket>();
  const accepted = new Promise<{ closed: Promise<unknown> }>((resolve) =>
    server.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      // read and drop what the client sends: an unread socket never sees the client's close
      socket.resume();
      resolve({ closed: once(socket, 'close') });
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  t.after(() => {
    for (const socket of open) socket.destroy();
    server.close();
  });
  const allClosed = async (): Promise<void> => {
    // connections are accepted in order: once a probe is accepted, every earlier one is too
    const probe = createConnection(port, '127.0.0.1');
    await once(probe, 'connect');
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if ([...open].some((s) => s.remotePort === probe.localPort)) resolve();
        else setImmediate(check);
      };
      check();
    });
    probe.destroy();
    await pollUntil(async () => open.size === 0, 'every connection to the silent server closed');
  };
  return { port, accepted, allClosed };
}

/** Server-side connections opened under an application name, counted in pg_stat_activity. */
async function backends(applicationName: string): Promise<number> {
  const monitor = new Client({ connectionString: SQL_URL, application_name: 'bandmaster-spec-monitor' });
  await monitor.connect();
  try {
    const { rows } = await monitor.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return rows[0]!.n;
  } finally {
    await monitor.end();
  }
}

describe('sql provider', () => {
  it('passes the conformance check against a real server', async () => {
    await checkConformance(() => sql({ name: uniqueName(), config: { url: SQL_URL } }));
  });

  it('injects the started pool into a service that queries through it', async () => {
    const name = uniqueName();
    @Service()
    class Reports implements OnStart {
      answer = 0;
      constructor(@Inject(name) readonly pool: Pool) {}
      async onStart(): Promise<void> {
        const { rows } = await this.pool.query<{ sum: number }>('SELECT $1::int + $2::int AS sum', [40, 2]);
        this.answer = rows[0]!.sum;
      }
    }
    const container = new Container({ logger: false });
    container.register(sql({ name, config: { url: SQL_URL } }), Reports);
    try {
      await container.startAll();
      assert.equal(container.resolve(Reports).answer, 42);
      assert.equal(container.resolve(Reports).pool, container.resolve<Pool>(name));
      const health = await container.health();
      assert.equal(health.services.find((s) => s.name === name)?.healthy, true);
    } finally {
      await container.stopAll();
    }
  });

  it('closes every server connection it opened on stopAll', async () => {
    const name = uniqueName();
    const container = new Container({ logger: false });
    container.register(sql({ name, config: { url: SQL_URL, max: 3 } }));
    assert.equal(await backends(name), 0);
    await container.startAll();
    const pool = container.resolve<Pool>(name);
    await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')));
    assert.ok((await backends(name)) >= 1);
    await container.stopAll();
    assert.equal(pool.ended, true);
    await pollUntil(async () => (await backends(name)) === 0, `no backend left for ${name}`);
  });

  it('fails after exactly retries + 1 attempts against an unreachable server, naming host and port but no password', async () => {
    const port = await freePort();
    const name = uniqueName();
    const container = new Container({ logger: false });
    container.register(sql({ name, config: { url: `postgres://postgres:s3cret-pw@127.0.0.1:${port}/postgres` }, retries: 2, backoff: 1 }));
    const error = await container.startAll().then(
      () => assert.fail('the boot succeeded'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof BootError);
    const [failure] = error.errors;
    assert.equal(failure?.kind, 'ServiceStartFailure');
    assert.equal(failure.service, name);
    assert.equal(failure.attempts, 3);
    assert.ok(failure.message.includes(`127.0.0.1:${port}`), failure.message);
    assert.ok(!error.message.includes('s3cret-pw') && !failure.message.includes('s3cret-pw'));
    await container.stopAll();
  });

  it('reports every invalid variable by its full name, without secret values', () => {
    const prefix = `SQL_BAD_${randomUUID().slice(0, 6).toUpperCase()}`;
    const bad = { URL: 'mysql://root:hunter2@db/app', PORT: 'http', MAX: '0', CONNECT_TIMEOUT: 'soon', SSL: 'maybe', PASSWORD: '' };
    for (const [key, value] of Object.entries(bad)) process.env[`${prefix}_${key}`] = value;
    try {
      assert.throws(
        () => sql({ name: 'sql-bad', env: prefix }),
        (e: unknown) => {
          assert.ok(isBandmasterError(e, 'InvalidConfig'));
          assert.deepEqual([...(e.variables ?? [])].sort(), ['URL', 'PORT', 'MAX', 'CONNECT_TIMEOUT', 'SSL'].map((k) => `${prefix}_${k}`).sort());
          assert.ok(!e.message.includes('hunter2'), e.message);
          return true;
        },
      );
    } finally {
      for (const key of Object.keys(bad)) delete process.env[`${prefix}_${key}`];
    }
  });

  it('lets the discrete variables replace parts of the URL', async () => {
    const prefix = `SQL_PARTS_${randomUUID().slice(0, 6).toUpperCase()}`;
    const real = new URL(SQL_URL);
    process.env[`${prefix}_URL`] = urlWithPort(await freePort());
    process.env[`${prefix}_PORT`] = real.port || '5432';
    const name = uniqueName();
    const container = new Container({ logger: false });
    try {
      container.register(sql({ name, env: prefix }));
      await container.startAll();
      assert.equal((await container.resolve<Pool>(name).query('SELECT 1 AS one')).rows[0].one, 1);
    } finally {
      delete process.env[`${prefix}_URL`];
      delete process.env[`${prefix}_PORT`];
      await container.stopAll();
    }
  });

  it('maps the URL and its overrides to pg options, and masks the password when printed', () => {
    const config = Object.assign(new SqlConfig(), {
      url: 'postgres://app:from-url@db.internal:5433/orders?sslmode=require&application_name=billing',
      host: 'replica.internal',
      password: 'from-env',
      statementTimeout: 2_000,
    });
    const options = poolConfig(config, 'sql-1');
    assert.deepEqual(
      { host: options.host, port: options.port, user: options.user, password: options.password, database: options.database, ssl: options.ssl },
      { host: 'replica.internal', port: 5433, user: 'app', password: 'from-env', database: 'orders', ssl: { rejectUnauthorized: false } },
    );
    assert.equal(options.application_name, 'billing');
    assert.equal(options.statement_timeout, 2_000);
    assert.equal(poolConfig(new SqlConfig(), 'sql-1').application_name, 'sql-1');
    for (const printed of [String(config), inspect(config)]) {
      assert.ok(!printed.includes('from-env') && !printed.includes('from-url'), printed);
    }
  });

  it('destroys a connect in flight when the start is aborted', { timeout: 10_000 }, async (t) => {
    const silent = await silentServer(t);
    const controller = new AbortController();
    const container = new Container({ logger: false });
    // no connect timeout: only the abort can end this connect
    container.register(sql({ name: uniqueName(), config: { url: `postgres://postgres@127.0.0.1:${silent.port}/postgres`, connectTimeout: 0 } }));
    try {
      const boot = container.startAll({ signal: controller.signal });
      const { closed } = await silent.accepted;
      controller.abort();
      await assert.rejects(boot, BootError);
      await closed;
    } finally {
      await container.stopAll();
    }
  });

  it('tears down an attempt that exceeds its start timeout', { timeout: 15_000 }, async (t) => {
    const silent = await silentServer(t);
    const container = new Container({ logger: false });
    container.register(sql({ name: uniqueName(), config: { url: `postgres://postgres@127.0.0.1:${silent.port}/postgres`, connectTimeout: 0 }, startTimeout: 100 }));
    try {
      const error = await container.startAll().then(
        () => assert.fail('the boot succeeded'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof BootError);
      assert.equal(error.errors[0]?.kind, 'ServiceStartFailure');
      assert.equal((error.errors[0].cause as DOMException).name, 'TimeoutError');
      // the timeout may fire before or after the server accepted: either way nothing stays open
      await silent.allClosed();
    } finally {
      await container.stopAll();
    }
  });

  it('survives the server dropping an idle connection and reconnects on the next query', async () => {
    const name = uniqueName();
    const container = new Container({ logger: false });
    container.register(sql({ name, config: { url: SQL_URL } }));
    try {
      await container.startAll();
      const pool = container.resolve<Pool>(name);
      const dropped = once(pool, 'error');
      const monitor = new Client({ connectionString: SQL_URL });
      await monitor.connect();
      try {
        await monitor.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      } finally {
        await monitor.end();
      }
      await dropped;
      assert.equal((await pool.query('SELECT 2 AS two')).rows[0].two, 2);
    } finally {
      await container.stopAll();
    }
  });
});
