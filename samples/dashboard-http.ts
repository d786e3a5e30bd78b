// The live dashboard under node:http: the dependency graph, the boot timeline and health at
// http://127.0.0.1:9090/bandmaster, updated as services start, fail and stop.
//   npm run build && node dist/samples/dashboard-http.js
import 'reflect-metadata';
import { createServer } from 'node:http';
import { Container, dashboardHandler, healthHandler } from 'bandmaster';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const container = new Container();
  container.register(
    { name: 'config', useFactory: () => ({ region: 'eu-west-1' }) },
    { name: 'db', deps: ['config'], useFactory: async () => (await sleep(400), { query: async () => [] }) },
    { name: 'cache', deps: ['config'], useFactory: async () => (await sleep(120), {}) },
    { name: 'search', required: false, retries: 2, backoff: 200, useFactory: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9200')) },
    { name: 'api', deps: ['db', 'cache'], useFactory: () => ({}) },
  );
  const dashboard = dashboardHandler(container);
  const health = healthHandler(container);
  // the dashboard first; what it does not serve goes to the probes, then 404
  const server = createServer((req, res) => dashboard(req, res, () => health(req, res)));
  const port = Number(process.env['PORT'] ?? 9090);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  console.log(`dashboard on http://127.0.0.1:${port}/bandmaster`);
  // the server stays up while the container stops, so the page shows the shutdown too
  container.events.on((e) => {
    if (e.type === 'stopped' && container.status().every((s) => s.state !== 'started' && s.state !== 'stopping')) {
      server.closeAllConnections();
      server.close();
    }
  });
  container.handleSignals({ timeout: 10_000 });
  await container.startAll({ timeout: 30_000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
