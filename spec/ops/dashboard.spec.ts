import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Container, dashboardHandler, isBandmasterError, type DashboardEvent, type DashboardState } from '../../lib';

async function serve(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sample(): Container {
  const container = new Container({ logger: false });
  let calls = 0;
  container.register(
    { name: 'db', useFactory: () => ({}), healthCheck: () => undefined },
    { name: 'flaky', deps: ['db'], retries: 1, backoff: 1, useFactory: () => (++calls === 1 ? Promise.reject(new Error('refused')) : {}) },
    { name: 'search', required: false, useFactory: () => Promise.reject(new Error('connect ECONNREFUSED https://elastic:hunter2@127.0.0.1:1')) },
  );
  return container;
}

interface EventStream {
  /** Resolves once the server answered: it subscribed to the container's events before writing its head. */
  readonly connected: Promise<void>;
  readonly read: Promise<{ events: { event: string; data: string }[]; headers: IncomingMessage['headers'] }>;
}

/** Reads `count` server-sent events of a stream. */
function readEvents(url: string, count: number): EventStream {
  let connected!: () => void;
  const opened = new Promise<void>((resolve) => (connected = resolve));
  const read: EventStream['read'] = new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      connected();
      let buffer = '';
      const events: { event: string; data: string }[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while (events.length < count && (end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data });
          if (events.length === count) {
            req.destroy();
            resolve({ events, headers: res.headers });
          }
        }
      });
    });
    req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
    req.end();
  });
  return { connected: opened, read };
}

describe('dashboardHandler', () => {
  it('serves the page, state.json with the shape of DESIGN, and the event stream', async () => {
    const container = sample();
    const http = await serve(dashboardHandler(container));
    try {
      const page = await fetch(`${http.url}/bandmaster`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'sha256-/);
      const html = await page.text();
      // self-contained: no external script, style or font
      assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org)/);
      assert.match(html, /dagre/);

      // the boot begins once the stream is subscribed (a fixed wait lost the first events under load, and the read waited forever)
      const stream = readEvents(`${http.url}/bandmaster/events`, 4);
      await stream.connected;
      await container.startAll();
      const { events, headers } = await stream.read;
      assert.match(String(headers['content-type']), /^text\/event-stream/);
      assert.deepEqual(events.map((e) => e.event), ['lifecycle', 'lifecycle', 'lifecycle', 'lifecycle']);
      const first = JSON.parse(events[0]!.data) as DashboardEvent;
      assert.equal(first.type, 'starting');
      assert.equal(first.state, 'starting');
      assert.equal(typeof first.at, 'number');

      const state = (await (await fetch(`${http.url}/bandmaster/state.json`)).json()) as DashboardState;
      assert.deepEqual(Object.keys(state).sort(), ['health', 'onDemand', 'services', 'timeline']);
      const by = new Map(state.services.map((s) => [s.name, s]));
      assert.deepEqual(by.get('flaky'), { name: 'flaky', state: 'started', required: true, attempts: 2, restarts: 0, dependencies: ['db'], scope: 'singleton', tags: [] });
      assert.deepEqual(state.onDemand, []);
      assert.equal(by.get('search')?.state, 'failed');
      assert.equal(by.get('search')?.error, 'connect ECONNREFUSED https://elastic:****@127.0.0.1:1');
      assert.equal(state.health.healthy, true);
      assert.ok(state.timeline.criticalPath.length > 0);
      assert.equal(state.timeline.entries.length, 3);

      await container.stopAll();
      await container.startAll();
      const again = (await (await fetch(`${http.url}/bandmaster/state.json`)).json()) as DashboardState;
      assert.equal(again.services.find((s) => s.name === 'db')?.restarts, 1);
    } finally {
      await http.close();
      await container.stopAll();
    }
  });

  it('never sends a secret: not in the page, state.json or the events', async () => {
    const container = sample();
    const http = await serve(dashboardHandler(container));
    try {
      const stream = readEvents(`${http.url}/bandmaster/events`, 6);
      await stream.connected;
      await container.startAll();
      const bodies = [
        await (await fetch(`${http.url}/bandmaster`)).text(),
        await (await fetch(`${http.url}/bandmaster/state.json`)).text(),
        JSON.stringify((await stream.read).events),
      ];
      for (const body of bodies) assert.doesNotMatch(body, /hunter2/);
      assert.match(bodies[2]!, /\*\*\*\*@127\.0\.0\.1/);
    } finally {
      await http.close();
      await container.stopAll();
    }
  });

  it('passes other paths and methods to next, or answers 404 and 405 without one', async () => {
    const container = sample();
    const handler = dashboardHandler(container, { path: '/ops/dash/' });
    const nexted: string[] = [];
    const withNext = await serve((req, res) =>
      handler(req, res, () => {
        nexted.push(`${req.method} ${req.url}`);
        res.end('next');
      }),
    );
    const alone = await serve((req, res) => handler(req, res));
    try {
      assert.equal((await fetch(`${withNext.url}/ops/dash`)).status, 200);
      assert.equal((await fetch(`${withNext.url}/ops/dash/`)).status, 200);
      assert.equal(await (await fetch(`${withNext.url}/other`)).text(), 'next');
      assert.equal(await (await fetch(`${withNext.url}/ops/dash/state.json`, { method: 'POST' })).text(), 'next');
      assert.deepEqual(nexted, ['GET /other', 'POST /ops/dash/state.json']);
      assert.equal((await fetch(`${alone.url}/other`)).status, 404);
      const post = await fetch(`${alone.url}/ops/dash`, { method: 'DELETE' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      const head = await fetch(`${alone.url}/ops/dash/state.json`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
    } finally {
      await withNext.close();
      await alone.close();
    }
  });

  it('runs the health checks once for concurrent state.json requests', async () => {
    const container = new Container({ logger: false });
    let checks = 0;
    container.register({ name: 'db', useFactory: () => ({}), healthCheck: async () => (checks++, await new Promise((r) => setTimeout(r, 50))) });
    await container.startAll();
    const http = await serve(dashboardHandler(container));
    try {
      const states = await Promise.all([1, 2, 3, 4].map(() => fetch(`${http.url}/bandmaster/state.json`).then((r) => r.json() as Promise<DashboardState>)));
      assert.equal(checks, 1);
      assert.ok(states.every((s) => s.health.healthy));
    } finally {
      await http.close();
      await container.stopAll();
    }
  });

  it('ends its open event streams on close(), so the server can close', async () => {
    const container = sample();
    const handler = dashboardHandler(container);
    const http = await serve(handler);
    try {
      const response = await fetch(`${http.url}/bandmaster/events`);
      const reader = response.body!.getReader();
      const first = await reader.read();
      assert.match(Buffer.from(first.value!).toString(), /: connected/);
      handler.close();
      let done = false;
      while (!done) done = (await reader.read()).done;
      assert.equal(done, true);
    } finally {
      await http.close();
    }
  });

  it('rejects a path that does not start with a slash, naming the fix', () => {
    assert.throws(
      () => dashboardHandler(sample(), { path: 'bandmaster' }),
      (err: unknown) => isBandmasterError(err, 'InvalidArgument') && err.message.includes("path must start with '/'"),
    );
  });
});
