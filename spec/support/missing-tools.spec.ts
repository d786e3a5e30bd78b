// A machine without kcat (or a server) gets one clear failure naming the install command within
// seconds, never a hang: the runner's preflight, and the all-providers sample spec, which used to
// leave its Cassandra and Elasticsearch test servers open when the Kafka mock could not start.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Runs node with a PATH that holds node only (so no kcat); resolves with its exit and output.
 * NODE_TEST_CONTEXT is dropped: with it, a nested `node --test` refuses to run files.
 */
async function withoutKcat(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; ms: number }> {
  const bin = mkdtempSync(join(tmpdir(), 'bandmaster-no-kcat-'));
  try {
    symlinkSync(process.execPath, join(bin, 'node'));
    const started = Date.now();
    const child = spawn(join(bin, 'node'), args, { cwd: ROOT, env: { ...process.env, NODE_TEST_CONTEXT: undefined, ...env, PATH: bin }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    return { code, out, ms: Date.now() - started };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('a machine without kcat', () => {
  it('npm test stops at once with one message naming apt-get install kcat', async () => {
    const { code, out, ms } = await withoutKcat(['spec/support/run.mjs']);
    assert.equal(code, 1, out);
    assert.match(out, /^the test suite cannot run: missing kcat/m);
    assert.match(out, /apt-get install kcat/);
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });

  it('the all-providers sample spec fails naming kcat within seconds and closes the servers it started', async () => {
    const spec = join(ROOT, 'dist', 'spec', 'samples', 'samples.spec.js');
    const { code, out, ms } = await withoutKcat(['--test', '--test-reporter=spec', '--test-name-pattern=all-providers', spec]);
    assert.equal(code, 1, out);
    assert.match(out, /kcat could not be started .*apt-get install kcat/);
    assert.ok(ms < 30_000, `took ${ms} ms: a server left open keeps the spec process alive`);
  });
});
