// Runs the Next app's files without Next (spec/samples/next-app.spec.ts runs them under a real
// `next build` + `next start`): it sets NEXT_RUNTIME, awaits instrumentation's register(), routes
// requests to the Route Handlers (Web Request/Response), and reloads the route modules once, as
// the dev server's hot reload does, to show the container survives. Not part of a Next project.
//   npm run build && PORT=8080 NODE_ENV=production node dist/samples/next-app/server.js
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Route = { GET(request: Request): Response | Promise<Response> };

function load(): Record<string, Route> {
  // re-evaluating the modules is what Next's dev server does on a change
  const files = { '/visits': './app/visits/route', '/readyz': './app/readyz/route', '/livez': './app/livez/route' };
  for (const name of [...Object.values(files), './container', './request-scope']) delete require.cache[require.resolve(name)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return Object.fromEntries(Object.entries(files).map(([path, file]) => [path, require(file) as Route]));
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
    // a Route Handler gets a Web Request, as under Next
    const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: req.method, headers: req.headers as Record<string, string> });
    Promise.resolve(route.GET(request)).then(
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
