import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BandmasterError, Container, handleSignals } from '../../lib';

const FIXTURE = join(__dirname, 'fixtures', 'signal-app.js');

interface Exit {
  readonly code: number | null;
  readonly lines: string[];
}

/**
 * Runs the fixture, waits for `waitFor` on its stdout, sends the signals one after the other
 * (each after the previous one's `then` line, if given), and resolves when it exits.
 */
function runApp(mode: string, waitFor: string, signals: { signal: NodeJS.Signals; then?: string }[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let buffer = '';
    let next = 0;
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const send = (): void => {
      const s = signals[next++];
      if (s) child.kill(s.signal);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line === waitFor && next === 0) send();
        else if (next > 0 && signals[next - 1]?.then && line.includes(signals[next - 1]!.then!)) send();
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, lines });
    });
  });
}

const stopped = (lines: string[]): string[] => lines.filter((l) => l.startsWith('stopped ')).map((l) => l.slice(8));
const messages = (lines: string[]): string[] => lines.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('Container', () => {
  describe('handleSignals', () => {
    it('on SIGTERM stops every service in reverse dependency order and exits 0', async () => {
      const { code, lines } = await runApp('clean', 'ready', [{ signal: 'SIGTERM' }]);
      assert.equal(code, 0);
      assert.deepEqual(stopped(lines), ['c', 'b', 'a']);
      assert.deepEqual(messages(lines), ['received signal, stopping services...', 'services stopped, exiting']);
    });

    it('on SIGINT does the same', async () => {
      const { code, lines } = await runApp('clean', 'ready', [{ signal: 'SIGINT' }]);
      assert.equal(code, 0);
      assert.deepEqual(stopped(lines), ['c', 'b', 'a']);
    });

    it('exits 1 when a service fails to stop, leaving its dependencies running', async () => {
      const { code, lines } = await runApp('failing', 'ready', [{ signal: 'SIGTERM' }]);
      assert.equal(code, 1);
      assert.deepEqual(stopped(lines), ['c']);
      assert.equal(messages(lines).at(-1), 'shutdown failed, exiting');
    });

    it('exits 1 once the deadline passes, even when a stop hook ignores its signal', async () => {
      const { code, lines } = await runApp('stuck', 'ready', [{ signal: 'SIGTERM' }]);
      assert.equal(code, 1);
      assert.deepEqual(stopped(lines), ['c']);
      assert.equal(messages(lines).at(-1), 'shutdown failed, exiting');
    });

    it('exits at once with 128 + the signal number on a second signal', async () => {
      const { code, lines } = await runApp('force', 'ready', [{ signal: 'SIGTERM', then: 'stopped c' }, { signal: 'SIGINT' }]);
      assert.equal(code, 130);
      assert.deepEqual(messages(lines), ['received signal, stopping services...', 'received a second signal, exiting now']);
    });

    it('interrupts a boot that is still retrying, stops what started and exits 0', async () => {
      const { code, lines } = await runApp('booting', 'retrying', [{ signal: 'SIGTERM' }]);
      assert.equal(code, 0);
      assert.ok(lines.includes('boot interrupted: slow'));
      assert.deepEqual(stopped(lines), ['c', 'b', 'a']);
    });

    it('returns a function that removes its handlers', () => {
      const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
      const remove = new Container({ logger: false }).handleSignals({ exit: () => assert.fail('must not exit') });
      assert.equal(process.listenerCount('SIGTERM'), before.term + 1);
      assert.equal(process.listenerCount('SIGINT'), before.int + 1);
      remove();
      assert.deepEqual({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }, before);
    });

    it('stops the container once and exits through the given function', async () => {
      const container = new Container({ logger: false });
      let stops = 0;
      container.register({ name: 'db', useFactory: () => ({}), onStop: () => void stops++ });
      await container.startAll();
      const exited = new Promise<number>((resolve) => {
        const remove = handleSignals(container, { logger: false, signals: ['SIGUSR2'], exit: (code) => (remove(), resolve(code)) });
        process.emit('SIGUSR2', 'SIGUSR2');
      });
      assert.equal(await exited, 0);
      assert.equal(stops, 1);
      assert.equal(container.status()[0]?.state, 'stopped');
    });

    it('rejects a timeout that is not a positive number with a typed error that names the fix', () => {
      for (const timeout of [0, -1, Number.NaN, Infinity, '5000' as unknown as number]) {
        assert.throws(
          () => handleSignals(new Container({ logger: false }), { timeout }),
          (err: unknown) => err instanceof BandmasterError && err.kind === 'InvalidArgument' && err.service === 'handleSignals' && /positive, finite number of ms/.test(err.message),
        );
      }
    });

    it('rejects signals that are not signal names, installing no handler', () => {
      const before = process.listenerCount('SIGTERM');
      assert.throws(
        () => handleSignals(new Container({ logger: false }), { signals: ['SIGTERM', 'SIGNOPE' as NodeJS.Signals] }),
        (err: unknown) => err instanceof BandmasterError && err.kind === 'InvalidArgument' && /SIGNOPE/.test(err.message),
      );
      assert.equal(process.listenerCount('SIGTERM'), before);
    });
  });
});
