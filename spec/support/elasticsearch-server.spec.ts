import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import {
  startElasticsearchTestServer,
  type ElasticsearchTestServer,
  type ElasticsearchTestServerOptions,
} from './elasticsearch-server';

const COMPAT_JSON = 'application/vnd.elasticsearch+json; compatible-with=9';

async function serve(t: TestContext, options?: ElasticsearchTestServerOptions): Promise<ElasticsearchTestServer> {
  const server = await startElasticsearchTestServer(options);
  t.after(() => server.close());
  return server;
}

function connect(t: TestContext, server: ElasticsearchTestServer, options: Partial<ClientOptions> = {}): Client {
  const client = new Client({ node: server.url, maxRetries: 0, ...options });
  t.after(() => client.close());
  return client;
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await sleep(5);
  }
}

function isResponseError(status: number, type?: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof errors.ResponseError, `expected ResponseError, got ${String(error)}`);
    assert.equal(error.meta.statusCode, status);
    if (type !== undefined) assert.equal((error.body as { error: { type: string } }).error.type, type);
    return true;
  };
}

describe('Elasticsearch test server with the official client', () => {
  it('connects, pings, reports info and health', async (t) => {
    const server = await serve(t);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = connect(t, server);
    assert.equal(await client.ping(), true);
    const info = await client.info();
    assert.match(info.version.number, /^9\.\d+\.\d+$/);
    assert.equal(info.version.build_flavor, 'default');
    assert.equal(info.tagline, 'You Know, for Search');
    const health = await client.cluster.health();
    assert.equal(health.status, 'green');
    assert.deepEqual(server.requests.slice(0, 3), [
      { method: 'HEAD', path: '/' },
      { method: 'GET', path: '/' },
      { method: 'GET', path: '/_cluster/health' },
    ]);
  });

  it('indexes, gets and searches documents', async (t) => {
    const server = await serve(t);
    const client = connect(t, server);
    const created = await client.index({ index: 'bands', id: 'b1', document: { name: 'Queen' } });
    assert.deepEqual([created.result, created._version], ['created', 1]);
    const updated = await client.index({ index: 'bands', id: 'b1', document: { name: 'Queen', year: 1970 } });
    assert.deepEqual([updated.result, updated._version], ['updated', 2]);
    const generated = await client.index({ index: 'bands', document: { name: 'Blur' } });
    assert.match(generated._id, /^[\w-]{20}$/);
    await client.indices.refresh({ index: 'bands' });

    const got = await client.get<{ name: string; year: number }>({ index: 'bands', id: 'b1' });
    assert.deepEqual([got.found, got._source], [true, { name: 'Queen', year: 1970 }]);
    await assert.rejects(client.get({ index: 'bands', id: 'nope' }), (error: unknown) => {
      assert.ok(error instanceof errors.ResponseError);
      assert.equal(error.meta.statusCode, 404);
      assert.equal((error.body as { found: boolean }).found, false);
      return true;
    });

    const result = await client.search<{ name: string }>({ index: 'bands', query: { match: { name: 'x' } } });
    assert.deepEqual(result.hits.total, { value: 2, relation: 'eq' });
    assert.deepEqual(result.hits.hits.map((hit) => hit._source?.name).sort(), ['Blur', 'Queen']);
    await assert.rejects(client.search({ index: 'missing' }), isResponseError(404, 'index_not_found_exception'));
  });

  it('answers unknown routes with a 404 ES error body', async (t) => {
    const server = await serve(t);
    const client = connect(t, server);
    await assert.rejects(
      client.transport.request({ method: 'GET', path: '/_nope/thing' }),
      isResponseError(404, 'resource_not_found_exception'),
    );
  });

  it('closes its sockets when the client closes', async (t) => {
    const server = await serve(t);
    const client = new Client({ node: server.url });
    // Not ping(): undici sends `connection: close` on HEAD, so only a GET leaves a keep-alive socket.
    assert.equal((await client.info()).cluster_name, 'bandmaster-test');
    assert.equal(server.connections, 1);
    await client.close();
    await waitFor(() => server.connections === 0);
    assert.equal(server.connections, 0);
  });

  it('negotiates media types like a real node', async (t) => {
    const server = await serve(t);
    const compat = await fetch(server.url, { headers: { accept: COMPAT_JSON } });
    assert.equal(compat.headers.get('content-type'), 'application/vnd.elasticsearch+json;compatible-with=9');
    assert.equal(compat.headers.get('x-elastic-product'), 'Elasticsearch');
    await compat.arrayBuffer();
    const plain = await fetch(server.url, { headers: { accept: 'application/json' } });
    assert.equal(plain.headers.get('content-type'), 'application/json');
    await plain.arrayBuffer();
    const tooOld = await fetch(server.url, { headers: { accept: COMPAT_JSON.replace('=9', '=7') } });
    assert.equal(tooOld.status, 400);
    assert.equal(((await tooOld.json()) as { error: { type: string } }).error.type, 'media_type_header_exception');
    const text = await fetch(`${server.url}/bands/_doc/1`, {
      method: 'PUT', body: 'hello', headers: { 'content-type': 'text/plain' },
    });
    assert.equal(text.status, 406);
    await text.arrayBuffer();
  });
});

describe('Elasticsearch test server basic auth', () => {
  it('rejects missing or wrong credentials and accepts the right ones', async (t) => {
    const server = await serve(t, { username: 'elastic', password: 's3cret' });
    const anonymous = connect(t, server);
    await assert.rejects(anonymous.ping(), (error: unknown) => {
      assert.ok(isResponseError(401)(error) && error instanceof errors.ResponseError);
      assert.match(String(error.meta.headers?.['www-authenticate']), /^Basic realm="security"/);
      return true;
    });
    const wrong = connect(t, server, { auth: { username: 'elastic', password: 'nope' } });
    await assert.rejects(wrong.info(), isResponseError(401, 'security_exception'));
    const right = connect(t, server, { auth: { username: 'elastic', password: 's3cret' } });
    assert.equal(await right.ping(), true);
    assert.equal((await right.info()).cluster_name, 'bandmaster-test');
  });
});

describe('Elasticsearch test server faults', () => {
  it('status 503 fails ping without retries, and setFaults clears it', async (t) => {
    const server = await serve(t, { faults: { status: 503 } });
    const client = connect(t, server);
    await assert.rejects(client.ping(), isResponseError(503));
    assert.equal(server.requests.length, 1, 'client retried despite maxRetries: 0');
    await assert.rejects(client.info(), isResponseError(503, 'test_fault_exception'));
    server.setFaults(undefined);
    assert.equal(await client.ping(), true);
  });

  it('omitProductHeader makes the client throw ProductNotSupportedError', async (t) => {
    const server = await serve(t, { faults: { omitProductHeader: true } });
    const client = connect(t, server);
    await assert.rejects(client.info(), errors.ProductNotSupportedError);
    server.setFaults({});
    assert.equal((await client.info()).version.build_flavor, 'default');
  });

  it('delayMs beyond requestTimeout gives a TimeoutError', async (t) => {
    const server = await serve(t, { faults: { delayMs: 5000 } });
    const client = connect(t, server, { requestTimeout: 100 });
    const started = Date.now();
    await assert.rejects(client.ping(), errors.TimeoutError);
    assert.ok(Date.now() - started < 2000, 'timed out late');
    server.setFaults({ delayMs: 50 });
    const delayedStart = Date.now();
    assert.equal(await client.ping(), true);
    assert.ok(Date.now() - delayedStart >= 45, 'response was not delayed');
  });

  it('dropConnections gives a ConnectionError', async (t) => {
    const server = await serve(t, { faults: { dropConnections: true } });
    const client = connect(t, server);
    await assert.rejects(client.ping(), errors.ConnectionError);
    assert.deepEqual(server.requests, [{ method: 'HEAD', path: '/' }]);
    await waitFor(() => server.connections === 0);
  });

  it('close() tears down in-flight requests and pending delays', async (t) => {
    const server = await serve(t, { faults: { delayMs: 60_000 } });
    const client = connect(t, server, { requestTimeout: 120_000 });
    const failed = assert.rejects(client.ping(), errors.ConnectionError);
    await waitFor(() => server.requests.length === 1);
    const started = Date.now();
    await server.close();
    await failed;
    assert.equal(server.connections, 0);
    assert.ok(Date.now() - started < 1000, 'close waited for the delay');
  });
});
