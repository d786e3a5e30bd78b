/**
 * Resolves to how `promise` settled, or to `'hung'` when it did not within `ms`: a spec about a
 * hang fails with a message instead of hanging the runner.
 */
export async function settled(promise: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  try {
    return await Promise.race([promise.then(() => 'resolved' as const, () => 'rejected' as const), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects every unhandled rejection while `run` runs (and one macrotask after it). */
export async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void seen.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await run();
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return seen;
}
