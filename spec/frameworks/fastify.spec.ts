import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { BootError, Container, isBandmasterError } from 'bandmaster';
import { bandmaster } from 'bandmaster/fastify';

/** A container whose `db` service records its lifecycle. */
function recordingContainer(log: string[], options: { failStart?: boolean } = {}): Container {
  const container = new Container({ logger: false });
  container.register({
    name: 'db',
    useValue: { rows: ['ada', 'grace'] },
    onStart: async () => {
      log.push('db:start');
      if (options.failStart) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    },
    onStop: async () => void log.push('db:stop'),
  });
  return container;
}

describe('bandmaster/fastify', () => {
  it('decorates app.container, boots the container on ready and stops it on close', async () => {
    const log: string[] = [];
    const container = recordingContainer(log);
    const app = Fastify();
    await app.register(bandmaster, { container });
    app.get('/users', async () => app.container.resolve<{ rows: string[] }>('db').rows);
    assert.equal(app.container, container);
    assert.deepEqual(log, []);
    await app.ready();
    assert.deepEqual(log, ['db:start']);
    const res = await app.inject({ method: 'GET', url: '/users' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), ['ada', 'grace']);
    await app.close();
    assert.deepEqual(log, ['db:start', 'db:stop']);
    assert.equal(container.status()[0]?.state, 'stopped');
  });

  it('fails ready() with the BootError when a required service fails to start', async () => {
    const app = Fastify();
    await app.register(bandmaster, { container: recordingContainer([], { failStart: true }) });
    const err = await app.ready().then(
      () => assert.fail('ready() resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof BootError, String(err));
    assert.equal(err.errors.length, 1);
    const [first] = err.errors;
    assert.ok(isBandmasterError(first));
    assert.equal(first.kind, 'ServiceStartFailure');
    assert.equal(first.service, 'db');
    await app.close();
  });

  it('does not boot again a container that is already started', async () => {
    const log: string[] = [];
    const container = recordingContainer(log);
    await container.startAll();
    const app = Fastify();
    await app.register(bandmaster, { container });
    await app.ready();
    assert.deepEqual(log, ['db:start']);
    await app.close();
    assert.deepEqual(log, ['db:start', 'db:stop']);
  });

  it('passes stopTimeout to stopAll: a stop hook that hangs makes close() reject with the ShutdownError in time', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'stuck', useValue: {}, onStop: () => new Promise<void>(() => {}) });
    const app = Fastify();
    await app.register(bandmaster, { container, stopTimeout: 100 });
    await app.ready();
    const began = Date.now();
    const err = await app.close().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AggregateError, `close() should reject, got ${String(err)}`);
    assert.equal((err as { name?: string }).name, 'ShutdownError');
    assert.ok(Date.now() - began < 2_000, 'close() waited past stopTimeout');
  });

  it('rejects an options object without a container with InvalidArgument', async () => {
    const app = Fastify();
    // @ts-expect-error: container is required
    app.register(bandmaster, {});
    const err = await app.ready().then(
      () => assert.fail('ready() resolved'),
      (e: unknown) => e,
    );
    assert.ok(isBandmasterError(err));
    assert.equal(err.kind, 'InvalidArgument');
    assert.match(err.message, /app\.register\(bandmaster, \{ container \}\)/);
  });

  it('mounts the probes: live at once, ready once booted, not ready once the shutdown began', async () => {
    const container = recordingContainer([]);
    const app = Fastify();
    await app.register(bandmaster, { container, probes: true });
    await app.ready();
    const live = await app.inject({ method: 'GET', url: '/livez' });
    assert.equal(live.statusCode, 200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().status, 'ready');
    const head = await app.inject({ method: 'HEAD', url: '/readyz' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    await container.stopAll();
    const after = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(after.statusCode, 503);
    assert.equal(after.json().shuttingDown, true);
    await app.close();
  });

  it('mounts the probes on custom paths and the dashboard, over a real listening socket', async () => {
    const container = recordingContainer([]);
    const app = Fastify();
    await app.register(bandmaster, { container, probes: { readinessPath: '/health/ready', livenessPath: '/health/live' }, dashboard: { path: '/ops' } });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      assert.equal((await fetch(`${address}/health/ready`)).status, 200);
      assert.equal((await fetch(`${address}/health/live`)).status, 200);
      assert.equal((await fetch(`${address}/readyz`)).status, 404);
      const page = await fetch(`${address}/ops`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.ok(html.includes('<title>bandmaster dashboard</title>') && html.includes('data-base="/ops"'), 'the dashboard page, served under /ops');
      const state = (await (await fetch(`${address}/ops/state.json`)).json()) as { services: { name: string; state: string }[] };
      assert.deepEqual(state.services.map((s) => [s.name, s.state]), [['db', 'started']]);
      // an open event stream does not keep close() waiting
      const events = await fetch(`${address}/ops/events`);
      assert.equal(events.headers.get('content-type')?.split(';')[0], 'text/event-stream');
      void events.body?.cancel().catch(() => {});
    } finally {
      await app.close();
    }
    assert.equal(container.status()[0]?.state, 'stopped');
  });

  it('fails listen() with the BootError and leaves no socket open', async () => {
    const app = Fastify();
    await app.register(bandmaster, { container: recordingContainer([], { failStart: true }) });
    await assert.rejects(app.listen({ port: 0, host: '127.0.0.1' }), (e: unknown) => e instanceof BootError);
    assert.equal(app.server.listening, false);
    await app.close();
  });
});
