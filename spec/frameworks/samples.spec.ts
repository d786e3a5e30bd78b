// Runs each framework sample the way a user does (compiled, in a child process, against the
// real local PostgreSQL and Redis): it boots, serves one request and the readiness probe, and
// stops its services cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const SAMPLES = join(__dirname, '..', '..', 'samples');

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: Record<string, unknown>[];
  readonly out: string;
  readonly visits: { status: number; body: Record<string, unknown> };
  readonly ready: { status: number; body: Record<string, unknown> };
  /** The second `/visits` answer, for the samples with request scopes. */
  readonly again?: { status: number; body: Record<string, unknown> };
  /** `request scope disposed` lines printed before SIGTERM was sent. */
  readonly disposedBeforeStop: number;
}

const disposals = (out: string): Record<string, unknown>[] => parse(out).filter((l) => l['msg'] === 'request scope disposed');

/** Waits (generously) until the sample printed `count` scope disposals. */
async function disposalsSeen(read: () => string, count: number): Promise<number> {
  const until = Date.now() + 10_000;
  while (disposals(read()).length < count && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  return disposals(read()).length;
}

function parse(out: string): Record<string, unknown>[] {
  return out.split('\n').flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    // an error page (a route that threw): show it, not a JSON parse error
    throw new Error(`GET ${url} answered ${res.status} with something that is not JSON: ${text.slice(0, 500)}`);
  }
}

/**
 * Starts the sample, waits for its `listening` line, asks it once (twice with `scoped`, then
 * waits for the two request scopes' disposals), then sends SIGTERM.
 */
async function runSample(file: string, scoped = false): Promise<Outcome> {
  const child = spawn(process.execPath, [join(SAMPLES, file)], {
    env: { ...process.env, PORT: '0', NODE_ENV: 'production', BANDMASTER_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const line = parse(out).find((l) => l['msg'] === 'listening');
      if (line) resolve(String(line['url']));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`${file} exited before listening:\n${out}`)));
  });
  try {
    const visits = await get(`${url}/visits`);
    const again = scoped ? await get(`${url}/visits`) : undefined;
    const ready = await get(`${url}/readyz`);
    const disposedBeforeStop = scoped ? await disposalsSeen(() => out, 2) : 0;
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    return { code, signal, lines: parse(out), out, visits, ready, again, disposedBeforeStop };
  } finally {
    clearTimeout(killer);
    child.kill('SIGKILL');
  }
}

function assertServedAndStopped(run: Outcome): void {
  assert.equal(run.visits.status, 200, run.out);
  assert.ok(Number(run.visits.body['visits']) >= 1, run.out);
  assert.ok(!Number.isNaN(Date.parse(String(run.visits.body['database']))), 'the answer holds PostgreSQL now()');
  assert.equal(run.ready.status, 200, run.out);
  assert.equal(run.ready.body['status'], 'ready');
  const stopped = run.lines.filter((l) => l['msg'] === 'service successfully stopped').map((l) => l['service']);
  for (const service of ['redis', 'db']) assert.ok(stopped.includes(service), `${service} stopped cleanly:\n${run.out}`);
  assert.equal(run.lines.filter((l) => l['level'] === 'error').length, 0, run.out);
  // Nest re-raises the signal once its shutdown hooks ran; the others exit 0
  assert.ok(run.code === 0 || run.signal === 'SIGTERM', `exit ${run.code} ${run.signal}:\n${run.out}`);
}

/** Two requests, two scopes: each borrowed a PostgreSQL client and was disposed after its response, once. */
function assertScopedPerRequest(run: Outcome): void {
  assert.equal(run.again?.status, 200, run.out);
  assert.ok(Number(run.again?.body['visits']) > Number(run.visits.body['visits']), 'the second request counted on');
  for (const answer of [run.visits.body, run.again!.body]) {
    assert.equal(answer['path'], '/visits');
    assert.ok(Number.isInteger(answer['backend']) && Number(answer['backend']) > 0, 'a PostgreSQL backend served the scoped repository');
  }
  assert.equal(run.disposedBeforeStop, 2, `both scopes disposed once their response was done, before SIGTERM:\n${run.out}`);
  assert.deepEqual(disposals(run.out).map((l) => l['path']), ['/visits', '/visits'], 'disposed exactly once each (stopAll found no scope open)');
}

describe('framework samples', () => {
  it('fastify-app boots against PostgreSQL and Redis, serves two requests through their own request scopes and its probes, and closes on SIGTERM', async () => {
    const run = await runSample('fastify-app.js', true);
    assertServedAndStopped(run);
    assertScopedPerRequest(run);
    assert.ok(run.lines.some((l) => l['msg'] === 'closed'), run.out);
  });

  it('express-app serves through the HTTP-server service and a request scope per request, and stops it before the clients on SIGTERM', async () => {
    const run = await runSample('express-app.js', true);
    assertServedAndStopped(run);
    assertScopedPerRequest(run);
    const order = run.lines.filter((l) => l['msg'] === 'service successfully stopped').map((l) => l['service']);
    assert.ok(order.indexOf('HttpServer') < order.indexOf('Visits') && order.indexOf('Visits') < order.indexOf('redis'), order.join());
    assert.equal(run.code, 0);
  });

  it('nest-app injects bandmaster services into a Nest controller, serves two requests through their own request scopes, and stops them on SIGTERM', async () => {
    const run = await runSample('nest-app.js', true);
    assertServedAndStopped(run);
    assertScopedPerRequest(run);
    assert.equal(run.visits.body['redis'], 'PONG');
  });

  it('next-app keeps one container across a hot reload, serves its Route Handlers through a request scope per request and stops on SIGTERM', async () => {
    const run = await runSample('next-app/server.js', true);
    assertServedAndStopped(run);
    assertScopedPerRequest(run);
    assert.ok(run.lines.some((l) => l['msg'] === 'hot reload kept the container' && l['same'] === true), run.out);
    assert.equal(run.lines.filter((l) => l['msg'] === 'service successfully started' && l['service'] === 'redis').length, 1, 'one boot only');
  });
});
