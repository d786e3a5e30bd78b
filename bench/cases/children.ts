import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { LifecycleTimes } from './lifecycle';

const here = join(__dirname, '..');

/** Runs `<script> ...args` with --expose-gc and parses the JSON of its last stdout line. */
function jsonChild<T>(script: string, args: readonly string[], what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`${what} failed (${code}): ${err.trim().split('\n')[0]}`));
      resolve(JSON.parse(line) as T);
    });
  });
}

/** Runs `cold-child.js`: one cold start of a contestant in a fresh process (see cold-child.ts). */
export function coldStart(file: string, name: string, size: number): Promise<{ wall: number; cpu: number }> {
  return jsonChild('cold-child.js', [file, name, String(size)], `cold child for ${name}`);
}

/** Runs `heap-child.js` for one contestant and returns bytes per service. */
export function heapOf(name: string, size: number): Promise<{ bytesPerService: number; outsidePerService: number; how: string }> {
  return jsonChild('heap-child.js', [name, String(size)], `heap child for ${name}`);
}

/**
 * Runs `scale-child.js`: warm zero-latency lifecycles of `size` services, alone in its process;
 * the mean of a batch of at least 10,000 services (see scale-child.ts), and the first one alone.
 */
export function lifecycleAlone(name: string, size: number): Promise<LifecycleTimes> {
  return jsonChild('scale-child.js', [name, String(size)], `scale child for ${name}`);
}

/** Runs `logging-child.js` with its stdout sent to `sink` (a file path, or /dev/null). */
export function loggingTimes(sink: string, size: number, rounds: number): Promise<Record<string, number[]>> {
  return new Promise((resolve, reject) => {
    const fd = openSync(sink, 'w');
    const child = spawn(process.execPath, ['--expose-gc', join(here, 'logging-child.js'), String(size), String(rounds)], {
      stdio: ['ignore', fd, 'inherit', 'ipc'],
      env: { ...process.env, BANDMASTER_LOG_LEVEL: 'info' },
    });
    closeSync(fd);
    let result: Record<string, number[]> | undefined;
    child.on('message', (m: { times: Record<string, number[]> }) => (result = m.times));
    child.on('close', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`logging child failed (${code})`))));
  });
}

/** What `realapp-child.js` prints: per contestant, boot and stop wall times and boot CPU (ms); or why it skipped. */
export type AppTimes =
  | { readonly skipped: string }
  | { readonly services: number; readonly times: Readonly<Record<string, { boot: number[]; stop: number[]; bootCpu: number[] }>> };

/** Runs `realapp-child.js`: the real application's boot and stop, `rounds` rounds (see realapp-child.ts). */
export function appBoots(rounds: number): Promise<AppTimes> {
  return jsonChild('realapp-child.js', [String(rounds)], 'real-application child');
}
