// Runs samples/fleet.ts the way a user does (compiled, in a child process) on the local PostgreSQL
// and Redis, and checks what it prints: samples are part of the product, so CI runs them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'fleet.js');

describe('samples/fleet', () => {
  it('runs three replicas: the migration runs on one, one holds the relay while two stand by, a standby takes over when the holder stops, and all exit cleanly', async () => {
    const child = spawn(process.execPath, [SAMPLE], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DB_URL: process.env.BANDMASTER_TEST_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', CACHE_URI: process.env.BANDMASTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(killer);
    assert.equal(code, 0, out);
    const lines = out.split('\n');
    assert.equal(lines.filter((l) => l.endsWith(': ran the migration')).length, 1, out);
    assert.equal(lines.filter((l) => / booted: .*Migrations started, OutboxRelay standby$/.test(l)).length, 2, out);
    assert.equal(lines.filter((l) => / booted: .*Migrations started, OutboxRelay started$/.test(l)).length, 1, out);
    const holds = lines.filter((l) => l.includes(': holds OutboxRelay (fencing token '));
    assert.equal(holds.length, 2, out);
    const token = (l: string): number => Number(/token (\d+)/.exec(l)?.[1]);
    assert.ok(token(holds[1]!) > token(holds[0]!), 'the new holder has a larger fencing token');
    assert.match(out, /^summary: replica \d took over OutboxRelay \d+ ms after the holder began to stop/m);
    assert.match(out, /^summary: every replica stopped and gave its locks back$/m);
  });
});
