// Next.js is not a dependency of this project yet, so this stand-in runs the recipe's files the
// way `next start` does: it sets NEXT_RUNTIME, awaits instrumentation's register(), routes
// requests to the Route Handlers (Web Request/Response), and reloads the route modules once, as
// a hot reload does, to show the container survives. With Next, drop this file: the three
// others go to instrumentation.ts, app/visits/route.ts and app/readyz/route.ts.
//   npm run build && PORT=8080 NODE_ENV=production node dist/samples/next-app/server.js
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Route = { GET(): Promise<Response> };

function load(): Record<string, Route> {
  // re-evaluating the modules is what Next's dev server does on a change
  for (const name of ['./route', './route-readyz', './container']) delete require.cache[require.resolve(name)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { '/visits': require('./route') as Route, '/readyz': require('./route-readyz') as Route };
}

async function main(): Promise<void> {
  process.env['NEXT_RUNTIME'] = 'nodejs';
  const { register } = await import('./instrumentation.js');
  await register();
  const first = (await import('./container.js')).appContainer().container;
  const routes = load();
  const reloaded = (await import('./container.js')).appContainer().container;
  console.log(JSON.stringify({ msg: 'hot reload kept the container', same: first === reloaded }));

  const server = createServer((req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0]!];
    if (!route || req.method !== 'GET') return void res.writeHead(404).end();
    route.GET().then(
      async (answer) => res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(await answer.text()),
      (err: unknown) => (console.error(err), res.writeHead(500).end()),
    );
  });
  server.listen(Number(process.env['PORT'] ?? 8080), '127.0.0.1', () => {
    console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
  // like `next start`, the server goes away with the process; the container's signal handler stops the services
  server.unref();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
