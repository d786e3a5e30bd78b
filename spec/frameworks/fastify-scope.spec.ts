import 'reflect-metadata';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { REQUEST } from 'bandmaster';
import { bandmaster, FASTIFY_REQUEST } from 'bandmaster/fastify';
import { Repo, scopedDb, stoppedAtLeast, type Tally } from './request-scope-fixture';

/** A Fastify app with the plugin and three routes using `request.scope` (one fails, one hangs until `release`). */
async function scopedApp(tally: Tally, options: { failStop?: boolean; logs?: string[] } = {}) {
  const container = scopedDb(tally, options);
  const logs = options.logs;
  const app = Fastify(logs ? { logger: { level: 'error', stream: { write: (line: string) => void logs.push(line) } } } : {});
  await app.register(bandmaster, { container, probes: true });
  let release: () => void = () => {};
  const entered = new Promise<void>((resolve) => {
    app.get('/slow', async (request) => {
      await request.scope.resolve(Repo);
      resolve();
      await new Promise<void>((r) => (release = r));
      return 'late';
    });
  });
  app.get('/me', async (request) => {
    const repo = await request.scope.resolve(Repo);
    assert.equal(await request.scope.resolve(Repo), repo, 'one instance per scope');
    assert.equal(await request.scope.resolve(REQUEST), request.raw);
    assert.equal(await request.scope.resolve(FASTIFY_REQUEST), request);
    return repo.whoami();
  });
  app.get('/fail', async (request) => {
    await request.scope.resolve(Repo);
    throw new Error('handler failed');
  });
  return { app, container, entered, release: () => release() };
}

describe('bandmaster/fastify request scopes', () => {
  it('gives each request its own scope, with a pooled PostgreSQL client, disposed once after the response', async () => {
    const tally: Tally = { started: [], stopped: [] };
    const { app } = await scopedApp(tally);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const answers = await Promise.all([1, 2, 3].map(async (n) => (await fetch(`${url}/me?n=${n}`)).json() as Promise<{ pid: number; path: string }>));
      assert.deepEqual(answers.map((a) => a.path).sort(), ['/me?n=1', '/me?n=2', '/me?n=3']);
      assert.ok(answers.every((a) => Number.isInteger(a.pid) && a.pid > 0), 'each answer names a PostgreSQL backend');
      await stoppedAtLeast(tally, 3);
      assert.deepEqual(tally.started.sort(), ['/me?n=1', '/me?n=2', '/me?n=3']);
      assert.deepEqual(tally.stopped.sort(), tally.started);
    } finally {
      await app.close();
    }
    assert.equal(tally.stopped.length, 3, 'nothing disposed twice');
  });

  it('disposes the scope when the handler throws, and answers the error as usual', async () => {
    const tally: Tally = { started: [], stopped: [] };
    const { app } = await scopedApp(tally);
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/fail' });
    assert.equal(res.statusCode, 500);
    await stoppedAtLeast(tally, 1);
    assert.deepEqual(tally.stopped, ['/fail']);
    await app.close();
    assert.equal(tally.stopped.length, 1);
  });

  it('disposes the scope once when the client aborts mid-request, before the handler ends', async () => {
    const tally: Tally = { started: [], stopped: [] };
    const { app, entered, release } = await scopedApp(tally);
    const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    try {
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/slow' });
      req.on('error', () => {});
      req.end();
      await entered;
      req.destroy();
      await stoppedAtLeast(tally, 1);
      assert.deepEqual(tally.stopped, ['/slow']);
      release();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await app.close();
    }
    assert.equal(tally.stopped.length, 1, 'disposed exactly once');
  });

  it("logs a failed disposal through the app's logger and still sends the response", async () => {
    const logs: string[] = [];
    const tally: Tally = { started: [], stopped: [] };
    const { app } = await scopedApp(tally, { failStop: true, logs });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/me' });
    assert.equal(res.statusCode, 200);
    await stoppedAtLeast(tally, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = logs.map((l) => JSON.parse(l) as { msg: string; err?: { type?: string; message?: string } }).find((l) => l.msg === 'request scope disposal failed');
    assert.ok(line, logs.join('\n'));
    assert.equal(line.err?.type, 'ShutdownError');
    await app.close();
  });

  it('opens no scope for a route that does not use it: the probes answer 503 while the container stops', async () => {
    const tally: Tally = { started: [], stopped: [] };
    const { app, container } = await scopedApp(tally);
    await app.ready();
    await container.stopAll();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    const me = await app.inject({ method: 'GET', url: '/me' });
    assert.equal(me.statusCode, 500, 'request.scope outside startAll()..stopAll() fails the route with ServiceNotStarted');
    assert.match(me.json<{ message: string }>().message, /stopping or stopped/);
    await app.close();
    assert.equal(tally.started.length, 0);
  });
});
