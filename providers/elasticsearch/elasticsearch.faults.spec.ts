import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Container } from '../../lib';
import { startElasticsearchTestServer, type ElasticsearchTestServer, type ElasticsearchTestServerOptions } from '../../spec/support/elasticsearch-server';
import { bootError, errorName, eventually, withTarget } from '../../spec/support/provider-spec';
import { elasticsearch } from './elasticsearch.provider';

// Faults can only be injected into the wire-level test server, so this file always uses it,
// also when BANDMASTER_TEST_ELASTICSEARCH_NODE points the main suite at a real server.

const TEST = { timeout: 30_000 };
/** Longer than any test waits: a socket that closes before it did not wait for the slow server. */
const SLOW = 20_000;

function withServer(options: ElasticsearchTestServerOptions, body: (server: ElasticsearchTestServer) => Promise<void>): Promise<void> {
  return withTarget(() => startElasticsearchTestServer(options), body);
}

function register(server: ElasticsearchTestServer, options: { retries?: number; startTimeout?: number } = {}): Container {
  const container = new Container({ logger: false });
  container.register(elasticsearch({ name: 'es-1', config: { nodes: [server.url] }, backoff: 10, ...options }));
  return container;
}

describe('elasticsearch provider faults', () => {
  it('fails an attempt that outlives startTimeout with a timeout, and leaves no socket', TEST, () =>
    withServer({ faults: { delayMs: SLOW } }, async (server) => {
      const error = await bootError(register(server, { startTimeout: 200, retries: 1 }).startAll(), 'ServiceStartFailure');
      assert.equal(error.attempts, 2);
      assert.equal(errorName(error.cause), 'TimeoutError');
      await eventually(() => server.connections === 0, 'the requests to be torn down');
    }),
  );

  it('tears the request down when the boot is aborted, leaving no socket', TEST, () =>
    withServer({ faults: { delayMs: SLOW } }, async (server) => {
      const controller = new AbortController();
      const boot = register(server).startAll({ signal: controller.signal });
      await eventually(() => server.requests.length > 0, 'the health request to arrive');
      controller.abort(new DOMException('shutting down', 'AbortError'));
      const error = await bootError(boot, 'ServiceStartFailure');
      assert.equal(errorName(error.cause), 'AbortError');
      await eventually(() => server.connections === 0, 'the request to be torn down');
    }),
  );

  it('sends one request per attempt to a server answering 503: the container owns retries during start', TEST, () =>
    withServer({ faults: { status: 503 } }, async (server) => {
      const error = await bootError(register(server, { retries: 2 }).startAll(), 'ServiceStartFailure');
      assert.equal(error.attempts, 3);
      assert.equal(server.requests.length, 3);
      assert.equal((error.cause as { cause?: { statusCode?: number } }).cause?.statusCode, 503);
    }),
  );

  it('fails the start when the server does not say it is Elasticsearch', TEST, () =>
    withServer({ faults: { omitProductHeader: true } }, async (server) => {
      const error = await bootError(register(server).startAll(), 'ServiceStartFailure');
      assert.equal(errorName((error.cause as Error).cause), 'ProductNotSupportedError');
      await eventually(() => server.connections === 0, 'the client to close');
    }),
  );

  it('fails the start when the server drops the connection, naming host and port', TEST, () =>
    withServer({ faults: { dropConnections: true } }, async (server) => {
      const error = await bootError(register(server, { retries: 1 }).startAll(), 'ServiceStartFailure');
      assert.equal(error.attempts, 2);
      assert.ok(error.message.includes(`${server.host}:${server.port}`), error.message);
      await eventually(() => server.connections === 0, 'the client to close');
    }),
  );

  it('fails the start on wrong credentials without revealing the password', TEST, () =>
    withServer({ username: 'elastic', password: 'right-password' }, async (server) => {
      const container = new Container({ logger: false });
      container.register(elasticsearch({ name: 'es-1', config: { nodes: [server.url], username: 'elastic', password: 'wrong-password' } }));
      const error = await bootError(container.startAll(), 'ServiceStartFailure');
      assert.equal((error.cause as { cause?: { statusCode?: number } }).cause?.statusCode, 401);
      assert.ok(!error.message.includes('wrong-password'), error.message);
    }),
  );

  it('keeps only status and reason of a 401 whose body echoes the Authorization header', TEST, async () => {
    const secret = 'echoed-Pa55word,with@odd chars';
    const server = createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch', 'www-authenticate': String(req.headers.authorization) });
      res.end(JSON.stringify({ error: { type: 'security_exception', reason: 'unable to authenticate', header: { Authorization: req.headers.authorization } }, echoed: req.headers.authorization, status: 401 }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const container = new Container({ logger: false });
      container.register(elasticsearch({ name: 'es-1', config: { nodes: [`http://127.0.0.1:${port}`], username: 'elastic', password: secret } }));
      const error = await bootError(container.startAll(), 'ServiceStartFailure');
      const basic = Buffer.from(`elastic:${secret}`).toString('base64');
      const shown = [inspect(error, { depth: 20 }), JSON.stringify(container.status()), inspect(container.status(), { depth: 20 })].join('\n');
      assert.ok(!shown.includes(basic) && !shown.includes(secret), 'the echoed credentials are nowhere');
      assert.match(error.message, /HTTP 401: security_exception: unable to authenticate/);
      assert.equal((error.cause as { cause?: { statusCode?: number } }).cause?.statusCode, 401);
    } finally {
      server.close();
    }
  });

  it('starts when one node of a cluster is down, asking it once per attempt', TEST, () =>
    withServer({}, async (live) => {
      await withServer({ faults: { dropConnections: true } }, async (down) => {
        const container = new Container({ logger: false });
        // a fresh client asks its nodes in the order given: the down node first
        container.register(elasticsearch({ name: 'es-1', config: { nodes: [down.url, live.url] } }));
        await container.startAll();
        assert.equal(down.requests.length, 1);
        assert.equal(live.requests.length, 1);
        await container.stopAll();
      });
    }),
  );

  it('recovers on its own after start once a dropping server answers again', TEST, () =>
    withServer({}, async (server) => {
      const container = register(server);
      await container.startAll();
      server.setFaults({ dropConnections: true });
      assert.equal((await container.health({ timeout: 2_000 })).healthy, false);
      server.setFaults({});
      await eventually(async () => (await container.health({ timeout: 2_000 })).healthy, 'the client to recover');
      await container.stopAll();
      await eventually(() => server.connections === 0, 'the client to close');
    }),
  );
});
