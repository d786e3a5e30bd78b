// The dashboard samples (node:http, Express, Fastify) run as a user runs them: compiled, in a
// child process; the page and state.json answer, and SIGTERM stops them cleanly.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DashboardState } from '../../lib';
import { freePort } from '../support/provider-spec';

const SAMPLES = join(__dirname, '..', '..', 'samples');

async function exercise(file: string): Promise<{ state: DashboardState; page: string; code: number | null }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(SAMPLES, file)], { env: { ...process.env, PORT: String(port), BANDMASTER_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const url = `http://127.0.0.1:${port}/bandmaster`;
    let state: DashboardState | undefined;
    for (let i = 0; i < 200 && !state; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const s = await fetch(`${url}/state.json`).then((r) => r.json() as Promise<DashboardState>, () => undefined);
      if (s && s.services.length > 0 && s.services.every((x) => x.state === 'started' || x.state === 'failed')) state = s;
    }
    assert.ok(state, `${file} never answered state.json with a finished boot:\n${out}`);
    const page = await (await fetch(url)).text();
    // an open page holds an event stream: the stop must not wait for it
    const stream = new AbortController();
    const events = await fetch(`${url}/events`, { signal: stream.signal });
    assert.equal(events.status, 200);
    child.kill('SIGTERM');
    const code = await exited;
    stream.abort();
    return { state, page, code };
  } finally {
    clearTimeout(killer);
    child.kill('SIGKILL');
  }
}

describe('dashboard samples', () => {
  for (const file of ['dashboard-http.js', 'dashboard-express.js', 'dashboard-fastify.js']) {
    it(`${file} serves the page and state.json, and stops cleanly on SIGTERM with a page open`, async () => {
      const { state, page, code } = await exercise(file);
      assert.match(page, /<title>bandmaster dashboard<\/title>/);
      assert.ok(state.services.some((s) => s.name === 'db' && s.state === 'started'));
      assert.equal(code, 0);
    });
  }
});
