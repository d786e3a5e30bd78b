/**
 * Once per fleet: the first replica to take the lock runs the step and records the key as done;
 * the others wait for the record; later boots see it and skip. A runner that dies mid-way leaves no
 * record and its lock is dropped (with its connection, or when its lease ends), so the next replica
 * to take the lock runs the step again: the step must tolerate a partial earlier run (a migration in
 * a transaction does).
 */
import { clampDelay } from '../delay';
import type { LockEngine } from './lock';

/** Options of {@link runOnce}. */
export interface RunOnceOptions {
  /** Stops waiting (rejects with the signal's reason); the step's own signal is aborted too. */
  readonly signal?: AbortSignal;
  /** How often a waiting replica looks for the record or the lock (default 100 ms). */
  readonly pollMs?: number;
}

/** What {@link runOnce} did on this replica. */
export type OnceOutcome = 'ran' | 'skipped';

/**
 * Runs `step` once across every replica sharing `engine`'s database for `key`: `'ran'` on the
 * replica that ran it, `'skipped'` on the others, after the record exists.
 */
export async function runOnce(engine: LockEngine, key: string, step: (signal: AbortSignal) => Promise<void>, options: RunOnceOptions = {}): Promise<OnceOutcome> {
  const { signal, pollMs = 100 } = options;
  for (;;) {
    signal?.throwIfAborted();
    if (await engine.isDone(key)) return 'skipped';
    const lease = await engine.tryAcquire(key, { fence: false }); // the step is given no token
    if (lease !== undefined) {
      try {
        // the previous holder may have finished between our look and our take
        if (await engine.isDone(key)) return 'skipped';
        const stepSignal = signal ? AbortSignal.any([signal, lease.lost]) : lease.lost;
        await step(stepSignal);
        stepSignal.throwIfAborted();
        await engine.markDone(key);
        return 'ran';
      } finally {
        // best effort once the step ran: an unanswered release is given back by the server (its expiry, the connection's end)
        await lease.release().catch(() => undefined);
      }
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', abort);
        resolve();
      }, clampDelay(pollMs));
      const abort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
    });
  }
}
