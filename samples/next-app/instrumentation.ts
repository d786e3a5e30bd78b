// Next.js calls `register()` once per server process, before serving (instrumentation.ts at the
// project root). Boot only in the Node.js runtime: the Edge runtime has no sockets for pg/ioredis.
// Next inlines NEXT_RUNTIME, so the Edge build drops the block and never bundles the container.
export async function register(): Promise<void> {
  if (process.env['NEXT_RUNTIME'] === 'nodejs') {
    // require, not import(): Turbopack does not map './container.js' to container.ts, and this
    // repository's tsc (CommonJS, node16) wants that extension on an import()
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { appContainer } = require('./container') as typeof import('./container');
    const { container, booted } = appContainer();
    await booted;
    // In production the container owns SIGTERM: start the server with NEXT_MANUAL_SIG_HANDLE=1,
    // or `next start`'s own handler exits (143) while the services are still stopping. The dev
    // server restarts itself, so nothing is hooked there.
    if (process.env['NODE_ENV'] === 'production') container.handleSignals({ timeout: 10_000 });
  }
}
