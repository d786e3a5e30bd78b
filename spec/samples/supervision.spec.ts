// Runs samples/supervision.ts the way a user does (compiled, in a child process) against a private
// redis-server it starts itself and the shared local Redis, and checks what it prints.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'supervision.js');

function run(): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [SAMPLE], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => child.on('exit', (code) => (clearTimeout(killer), resolve({ code, out }))));
}

describe('samples', () => {
  it('supervision kills its private redis-server, brings it back, and the service and its dependent are restarted with fresh clients', { timeout: 40_000 }, async () => {
    const { code, out } = await run();
    assert.equal(code, 0, out);
    const lines = out.split('\n');
    const at = (line: string): number => {
      const i = lines.indexOf(line);
      assert.ok(i >= 0, `"${line}" in:\n${out}`);
      return i;
    };
    assert.match(out, /^rd-sv: lost \(.+\)$/m);
    // the dependent stops first, starts last, and only after the server is back
    assert.ok(at('rd-sv: restarting') < at('  sessions: stopped'));
    assert.ok(at('  sessions: stopped') < at('  rd-sv: stopped'));
    assert.ok(at('redis-server is back') < lines.indexOf('  sessions: started', at('redis-server is back')));
    assert.match(out, /^rd-sv: restarted in \d+ ms$/m);
    assert.match(out, /^server back -> rd-sv restarted: \d+ ms$/m);
    assert.match(out, /^sessions has a fresh client: true; rd-shared untouched: true$/m);
    assert.match(out, /^rd-sv: restarting on demand$/m);
    assert.match(out, /^restarted: rd-sv, sessions$/m);
    assert.match(out, /^restarts: 2$/m);
    assert.match(out, /^restart 1: rd-sv \(lost: .+\) at \d+ms, restarted in \d+ms$/m);
    assert.match(out, /^restart 2: rd-sv \(on demand\)/m);
    assert.match(out, /^status: rd-sv=started \(2 restarts\), sessions=started, rd-shared=started$/m);
    // rd-shared was never restarted: it started once and stopped once
    assert.equal(lines.filter((l) => l === '  rd-shared: started').length, 1);
  });
});
