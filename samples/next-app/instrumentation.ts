// Next.js calls `register()` once per server process, before serving (instrumentation.ts at the
// project root). Boot only in the Node.js runtime: the Edge runtime has no sockets for pg/ioredis.
export async function register(): Promise<void> {
  if (process.env['NEXT_RUNTIME'] !== 'nodejs') return;
  const { appContainer } = await import('./container.js'); // in a Next project: './container'
  const { container, booted } = appContainer();
  await booted;
  // Signals are the platform's: it sends SIGTERM and `next start` exits on it. The container
  // only needs its own stop hooked in once, in production (the dev server restarts itself).
  if (process.env['NODE_ENV'] === 'production') container.handleSignals({ timeout: 10_000 });
}
