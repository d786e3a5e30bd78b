import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { Container, healthHandler, probeReadiness } from '../../lib';

const servers: Server[] = [];

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

after(() => {
  for (const server of servers) {
    server.close();
    server.closeAllConnections();
  }
});

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> | undefined; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: res.headers };
}

function healthy(flag: { ok: boolean }): (instance: unknown, signal: AbortSignal) => Promise<void> {
  return async () => {
    if (!flag.ok) throw new Error('connection lost');
  };
}

describe('healthHandler', () => {
  it('answers liveness with 200 whatever the services do', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}) });
    const base = await serve(healthHandler(container));
    assert.deepEqual(await get(`${base}/livez`).then((r) => [r.status, r.body]), [200, { status: 'ok' }]);
  });

  it('answers readiness with 503 before the boot, 200 once every required service is started and healthy', async () => {
    const container = new Container({ logger: false });
    const db = { ok: true };
    container.register({ name: 'db', useFactory: () => ({}), healthCheck: healthy(db) }, { name: 'cache', required: false, useFactory: () => ({}) });
    const base = await serve(healthHandler(container));
    assert.deepEqual((await get(`${base}/readyz`)).body, { status: 'not ready', shuttingDown: false });
    await container.startAll();
    const ready = await get(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready', shuttingDown: false });
    assert.equal(ready.headers.get('cache-control'), 'no-store');
    db.ok = false;
    assert.equal((await get(`${base}/readyz`)).status, 503);
    db.ok = true;
    assert.equal((await get(`${base}/readyz`)).status, 200);
    await container.stopAll();
  });

  it('stays ready when only an optional service is unhealthy', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}) }, { name: 'metrics', required: false, useFactory: () => ({}), healthCheck: healthy({ ok: false }) });
    await container.startAll();
    const base = await serve(healthHandler(container, { details: true }));
    const res = await get(`${base}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body?.['services'], [
      { name: 'db', state: 'started', required: true, healthy: true },
      { name: 'metrics', state: 'started', required: false, healthy: false, error: 'connection lost' },
    ]);
    await container.stopAll();
  });

  it('turns not ready as soon as a shutdown begins, and ready again after a new boot', async () => {
    const container = new Container({ logger: false });
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    container.register({ name: 'db', useFactory: () => ({}) }, { name: 'api', deps: ['db'], useFactory: () => ({}), onStop: () => blocked });
    await container.startAll();
    const base = await serve(healthHandler(container));
    assert.equal((await get(`${base}/readyz`)).status, 200);
    const stopping = container.stopAll();
    // db is still started and healthy, but the process is going away
    assert.deepEqual((await get(`${base}/readyz`)).body, { status: 'not ready', shuttingDown: true });
    assert.equal((await probeReadiness(container)).shuttingDown, true);
    assert.equal((await get(`${base}/livez`)).status, 200);
    release();
    await stopping;
    assert.equal((await get(`${base}/readyz`)).status, 503);
    await container.startAll();
    assert.deepEqual((await get(`${base}/readyz`)).body, { status: 'ready', shuttingDown: false });
    await container.stopAll();
  });

  it('answers HEAD without a body, other methods with 405 and unknown paths with 404', async () => {
    const container = new Container({ logger: false });
    const base = await serve(healthHandler(container, { livenessPath: '/healthz', readinessPath: '/ready' }));
    const head = await fetch(`${base}/ready`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const post = await get(`${base}/healthz`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.equal((await get(`${base}/livez`)).status, 404);
    assert.equal((await get(`${base}/healthz?probe=1`)).status, 200);
  });

  it('hands other paths to next() when used as a middleware', async () => {
    const container = new Container({ logger: false });
    const handler = healthHandler(container);
    const base = await serve((req, res) => handler(req, res, () => res.writeHead(418).end('app')));
    const res = await fetch(`${base}/users`);
    assert.equal(res.status, 418);
    assert.equal(await res.text(), 'app');
  });

  it('answers within its check timeout when a health check hangs', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}), healthCheck: () => new Promise(() => undefined) });
    await container.startAll();
    const base = await serve(healthHandler(container, { timeout: 50 }));
    assert.equal((await get(`${base}/readyz`)).status, 503);
    await container.stopAll();
  });
});
