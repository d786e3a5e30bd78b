import 'reflect-metadata';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { Container, isBandmasterError, REQUEST, scopeMiddleware, type Logger } from 'bandmaster';
import { Repo, scopedDb, stoppedAtLeast, type Tally } from './request-scope-fixture';

/** An Express app on a real socket: `/me` uses req.scope, `/fail` throws after, `/slow` waits for `release`. */
async function scopedServer(tally: Tally, options: { failStop?: boolean; logger?: Logger } = {}) {
  const container = scopedDb(tally, options);
  await container.startAll({ timeout: 10_000 });
  const app = express();
  app.use(scopeMiddleware(container, { logger: options.logger }));
  app.get('/me', async (req, res) => {
    const repo = await req.scope.resolve(Repo);
    assert.equal(await req.scope.resolve(REQUEST), req);
    res.json(await repo.whoami());
  });
  app.get('/fail', async (req) => {
    await req.scope.resolve(Repo);
    throw new Error('handler failed');
  });
  let release: () => void = () => {};
  const entered = new Promise<void>((resolve) => {
    app.get('/slow', async (req, res) => {
      await req.scope.resolve(Repo);
      resolve();
      await new Promise<void>((r) => (release = r));
      res.end('late');
    });
  });
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).end('failed'));
  const server: Server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await container.stopAll();
  };
  return { url, entered, release: () => release(), close };
}

describe('scopeMiddleware (Express)', () => {
  it('gives each request its own scope with a pooled PostgreSQL client, disposed once after the response', async () => {
    const tally: Tally = { started: [], stopped: [] };
    const app = await scopedServer(tally);
    try {
      const answers = await Promise.all([1, 2, 3].map(async (n) => (await fetch(`${app.url}/me?n=${n}`)).json() as Promise<{ pid: number; path: string }>));
      assert.deepEqual(answers.map((a) => a.path).sort(), ['/me?n=1', '/me?n=2', '/me?n=3']);
      assert.ok(answers.every((a) => a.pid > 0));
      await stoppedAtLeast(tally, 3);
      assert.deepEqual(tally.stopped.sort(), tally.started.sort());
    } finally {
      await app.close();
    }
    assert.equal(tally.stopped.length, 3, 'nothing disposed twice');
  });

  it('disposes the scope when the handler throws', async () => {
    const tally: Tally = { started: [], stopped: [] };
    const app = await scopedServer(tally);
    try {
      assert.equal((await fetch(`${app.url}/fail`)).status, 500);
      await stoppedAtLeast(tally, 1);
      assert.deepEqual(tally.stopped, ['/fail']);
    } finally {
      await app.close();
    }
    assert.equal(tally.stopped.length, 1);
  });

  it('disposes the scope once when the client aborts mid-request', async () => {
    const tally: Tally = { started: [], stopped: [] };
    const app = await scopedServer(tally);
    try {
      const { hostname, port } = new URL(app.url);
      const req = httpRequest({ host: hostname, port, path: '/slow' });
      req.on('error', () => {});
      req.end();
      await app.entered;
      req.destroy();
      await stoppedAtLeast(tally, 1);
      assert.deepEqual(tally.stopped, ['/slow']);
      app.release();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await app.close();
    }
    assert.equal(tally.stopped.length, 1, 'disposed exactly once');
  });

  it('logs a failed disposal through the given logger, without the query string, and still answers', async () => {
    const errors: [string, Record<string, unknown> | undefined][] = [];
    const logger: Logger = { error: (m, f) => errors.push([m, f]), warn: () => {}, info: () => {}, debug: () => {} };
    const tally: Tally = { started: [], stopped: [] };
    const app = await scopedServer(tally, { failStop: true, logger });
    try {
      assert.equal((await fetch(`${app.url}/me?token=s3cret`)).status, 200);
      await stoppedAtLeast(tally, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(errors.length, 1);
      const [message, fields] = errors[0]!;
      assert.equal(message, 'request scope disposal failed');
      assert.equal((fields?.['error'] as Error).name, 'ShutdownError');
      assert.equal(fields?.['path'], '/me');
      assert.ok(!JSON.stringify(fields).includes('s3cret'));
    } finally {
      await app.close();
    }
  });

  it('rejects something that is not a container with InvalidArgument naming the fix', () => {
    assert.throws(
      () => scopeMiddleware({} as Container),
      (e: unknown) => isBandmasterError(e) && e.kind === 'InvalidArgument' && /app\.use\(scopeMiddleware\(container\)\)/.test(e.message),
    );
  });
});
