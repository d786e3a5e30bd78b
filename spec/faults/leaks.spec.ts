import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const FIXTURE = join(__dirname, 'fixtures', 'cycles.js');
const CYCLES = 1_000;
const PROVIDER_CYCLES = 200;
/** Heap growth allowed over all cycles: far below one retained object graph per cycle. */
const HEAP_SLACK = 1_500_000;

interface Snapshot {
  readonly resources: Record<string, number>;
  readonly heap: number;
}

interface Result {
  readonly name: string;
  readonly cycles: number;
  readonly before: Snapshot;
  readonly after: Snapshot;
  readonly states: string[];
}

function runCycles(): Promise<{ code: number | null; results: Result[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', FIXTURE, String(CYCLES), String(PROVIDER_CYCLES)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // the fixture never calls process.exit: exiting at all proves nothing was left running
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, results: stdout ? (JSON.parse(stdout) as Result[]) : [], stderr });
    });
  });
}

describe('fault injection: leaks', () => {
  it(`${CYCLES} boot and shutdown cycles of a mixed graph (and ${PROVIDER_CYCLES} with Redis, PostgreSQL and memcached) leave no handle and no heap growth, and the process exits by itself`, async () => {
    const { code, results, stderr } = await runCycles();
    assert.equal(code, 0, stderr);
    assert.deepEqual(results.map((r) => [r.name, r.cycles]), [['in-process', CYCLES], ['providers', PROVIDER_CYCLES]]);
    for (const r of results) {
      assert.deepEqual(r.after.resources, r.before.resources, `${r.name}: active resources back to the baseline`);
      assert.ok(r.after.heap - r.before.heap < HEAP_SLACK, `${r.name}: heap grew by ${r.after.heap - r.before.heap} bytes`);
      assert.deepEqual(r.states, ['stopped']);
    }
    process.stdout.write(`# leaks: ${JSON.stringify(results)}\n`);
  });
});
