import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, createDefaultLogger, dependencyChain, isBandmasterError } from '../../lib';
import { captureWinston } from '../support/log-capture';

const LENGTH = 8_000;

/** `s-0` fails by itself; `s-i` depends on `s-(i-1)`. */
function chain(c: Container, length: number): void {
  c.register({
    name: 's-0',
    useFactory: () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:11211');
    },
  });
  for (let i = 1; i < length; i++) c.register({ name: `s-${i}`, useFactory: () => i, deps: [`s-${i - 1}`] });
}

describe('a deep failure chain', () => {
  it('names the root cause once in every message and keeps the chain in fields', async () => {
    const c = new Container({ logger: false });
    chain(c, 4);
    const error = await c.startAll().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BootError);
    const last = c.status().find((s) => s.name === 's-3')!.error!;
    assert.equal(last.message, '`s-3`: dependency `s-2` unavailable (root cause: `s-0`: service failed to start: connect ECONNREFUSED 127.0.0.1:11211)');
    const first = c.status().find((s) => s.name === 's-1')!.error!;
    assert.equal(first.message, '`s-1`: dependency `s-0` failed to start: `s-0`: service failed to start: connect ECONNREFUSED 127.0.0.1:11211');
    assert.deepEqual(dependencyChain(last), ['s-3', 's-2', 's-1', 's-0']);
    assert.ok(isBandmasterError(last.rootCause, 'ServiceStartFailure'));
    assert.equal(last.rootCause?.service, 's-0');
    assert.equal(last.dependency, 's-2');
    assert.ok(isBandmasterError(last.cause, 'DependencyUnavailable'));
  });

  it(`of ${LENGTH.toLocaleString('en')} services keeps every message and log line bounded`, async () => {
    const logger = createDefaultLogger('warn');
    const lines = captureWinston(logger);
    const c = new Container({ logger });
    chain(c, LENGTH);
    const heapBefore = process.memoryUsage().heapUsed;
    const error = await c.startAll().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BootError);
    const messages = c.status().map((s) => s.error?.message ?? '');
    const largest = messages.reduce((max, m) => Math.max(max, m.length), 0);
    const total = messages.reduce((sum, m) => sum + m.length, 0);
    const largestLine = lines.reduce((max, line) => Math.max(max, JSON.stringify(line).length), 0);
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    console.log(`# ${LENGTH} chain: largest message ${largest} chars, boot error ${error.message.length} chars, all messages ${total} chars, largest log line ${largestLine} chars, ${lines.length} lines, heap +${heapMb.toFixed(1)} MB`);
    assert.ok(largest < 400, `largest message ${largest}`);
    assert.ok(error.message.length < 4_000, `boot error message ${error.message.length}`);
    assert.ok(largestLine < 1_000, `largest log line ${largestLine}`);
    assert.equal(lines.filter((l) => l.level === 'warn').length, LENGTH);
    assert.deepEqual(dependencyChain(c.status().at(-1)!.error!).length, LENGTH);
  });
});
