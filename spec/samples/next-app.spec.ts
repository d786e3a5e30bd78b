// Builds samples/next-app with a real `next build` and runs it under `next start` against the real
// local PostgreSQL and Redis: register() boots the container, a Route Handler reads both through
// it and a request scope of its own (disposed once per request), the probes answer, and SIGTERM stops the services before the process exits 0. Next is not a
// dependency of the library: the app's own package-lock.json is installed (npm ci, once, cached)
// into the build folder .build/next-app (ignored by git and eslint), and this checkout's built
// package is copied into its node_modules/bandmaster, as an install would put it. A symlink would
// not do: Turbopack follows it out of node_modules and bundles bandmaster instead of requiring it.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../support/provider-spec';

const ROOT = join(__dirname, '..', '..', '..');
const SOURCE = join(ROOT, 'samples', 'next-app');
// two folders below the root, like the source: next.config.mjs finds the root as '../..'
const APP = join(ROOT, '.build', 'next-app');
const NEXT = join(APP, 'node_modules', 'next', 'dist', 'bin', 'next');
const ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

/** Runs a build step to completion, failing with its output. */
function step(what: string, command: string, args: string[], timeoutMs: number): number {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: APP, env: ENV, encoding: 'utf8', timeout: timeoutMs });
  assert.equal(result.status, 0, `${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`);
  return Date.now() - started;
}

const SAMPLE_FILE = (file: string): boolean => !/(^|\/)(node_modules|\.next|server\.ts)$/.test(file);
const PACKAGE_FILE = (file: string): boolean => !/\.(spec\.[jt]s|map)$/.test(file);
// the bundles (what exports runs) and the declarations beside tsc's output
const PACKAGE_FOLDERS = ['dist/bundle', 'dist/lib', 'dist/decorators', 'dist/providers'];

/** Adds every file of `dir` that `keep` accepts, path and content, to `hash`. */
function hashTree(hash: Hash, dir: string, keep: (file: string) => boolean): void {
  for (const file of (readdirSync(dir, { recursive: true }) as string[]).filter(keep).sort()) {
    const path = join(dir, file);
    if (statSync(path).isFile()) hash.update(`${file}\0`).update(readFileSync(path));
  }
}

/** The built package as npm would install it: package.json and the compiled code its `files` publish. */
function installBandmaster(): void {
  const target = join(APP, 'node_modules', 'bandmaster');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(target, 'package.json'));
  for (const folder of PACKAGE_FOLDERS) cpSync(join(ROOT, folder), join(target, folder), { recursive: true, filter: PACKAGE_FILE });
}

/**
 * Copies the app's sources into .build/next-app, installs its lockfile when it changed, and the
 * built bandmaster; returns what the build depends on, hashed.
 */
function prepare(): { installMs: number; inputs: string } {
  const lock = readFileSync(join(SOURCE, 'package-lock.json'), 'utf8');
  const stamp = join(APP, 'node_modules', '.bandmaster-lock.json');
  const installed = existsSync(stamp) && readFileSync(stamp, 'utf8') === lock;
  for (const entry of ['app', 'next-env.d.ts', 'tsconfig.json']) rmSync(join(APP, entry), { recursive: true, force: true });
  mkdirSync(APP, { recursive: true });
  // server.ts runs these files without Next (spec/frameworks/samples.spec.ts): not part of the app
  cpSync(SOURCE, APP, { recursive: true, filter: (file) => SAMPLE_FILE(relative(SOURCE, file)) });
  let installMs = 0;
  if (!installed) {
    installMs = step('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], 180_000);
    writeFileSync(stamp, lock);
  }
  installBandmaster();
  const hash = createHash('sha256');
  hashTree(hash, SOURCE, SAMPLE_FILE);
  for (const folder of PACKAGE_FOLDERS) hashTree(hash, join(ROOT, folder), PACKAGE_FILE);
  return { installMs, inputs: hash.digest('hex') };
}

/**
 * `next build`, unless the last build had the same inputs: .ci/run runs the suite once per Node
 * major, and the build's output does not depend on which Node ran it.
 */
function build(inputs: string): number {
  const stamp = join(APP, '.next', '.bandmaster-inputs');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs) return 0;
  rmSync(join(APP, '.next'), { recursive: true, force: true });
  const ms = step('next build', process.execPath, [NEXT, 'build'], 180_000);
  writeFileSync(stamp, inputs);
  return ms;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function get(url: string): Promise<Answer> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls the readiness probe until it answers 200, the server exits, or 30 s pass. */
async function untilReady(url: string, exited: () => boolean): Promise<Answer> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await get(url).catch(() => undefined);
    if (answer?.status === 200 || exited() || Date.now() > deadline) return answer ?? { status: 0, body: {} };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The JSON log lines among Next's own plain-text ones. */
function jsonLines(out: string): Record<string, unknown>[] {
  const parsed = out.split('\n').filter((line) => line.startsWith('{')).map((line): unknown => JSON.parse(line));
  return parsed.filter((value): value is Record<string, unknown> => typeof value === 'object' && value !== null);
}

describe('next-app under a real next build and next start', () => {
  it('boots in register(), reads PostgreSQL and Redis in a Route Handler through a request scope per request, answers the probes, and stops its services on SIGTERM', { timeout: 300_000 }, async () => {
    const { installMs, inputs } = prepare();
    const buildMs = build(inputs);
    const port = await freePort();
    const started = Date.now();
    const child = spawn(process.execPath, [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: APP,
      // the container owns SIGTERM (see instrumentation.ts)
      env: { ...ENV, NODE_ENV: 'production', NEXT_MANUAL_SIG_HANDLE: '1', BANDMASTER_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      const base = `http://127.0.0.1:${port}`;
      const ready = await untilReady(`${base}/readyz`, () => child.exitCode !== null);
      assert.deepEqual([ready.status, ready.body['status']], [200, 'ready'], out);
      const readyMs = Date.now() - started;
      const [first, second] = [await get(`${base}/visits`), await get(`${base}/visits`)];
      assert.equal(first.status, 200, out);
      assert.equal(Number(second.body['visits']), Number(first.body['visits']) + 1, 'both requests used the same Redis client');
      assert.ok(!Number.isNaN(Date.parse(String(first.body['database']))), 'the answer holds PostgreSQL now()');
      for (const answer of [first, second]) assert.deepEqual([answer.body['path'], Number(answer.body['backend']) > 0], ['/visits', true], 'a request-scoped repository served it');
      assert.deepEqual(await get(`${base}/livez`), { status: 200, body: { status: 'alive' } });

      child.kill('SIGTERM');
      assert.equal(await exit, 0, out);
      const lines = jsonLines(out);
      const stopped = lines.filter((l) => l['msg'] === 'service successfully stopped').map((l) => l['service']);
      for (const service of ['visits', 'redis', 'db']) assert.ok(stopped.includes(service), `${service} stopped cleanly:\n${out}`);
      assert.equal(lines.filter((l) => l['msg'] === 'service successfully started' && l['service'] === 'redis').length, 1, 'one boot only');
      assert.ok(lines.some((l) => l['msg'] === 'services stopped, exiting'), out);
      assert.equal(lines.filter((l) => l['level'] === 'error').length, 0, out);
      assert.deepEqual(lines.filter((l) => l['msg'] === 'request scope disposed').map((l) => l['path']), ['/visits', '/visits'], 'each request scope disposed once');
      console.log(`# next-app on Node ${process.versions.node}: npm ci ${installMs} ms, next build ${buildMs} ms (0: cached, same inputs), next start to ready ${readyMs} ms`);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });
});
