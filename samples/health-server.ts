// A service process as Kubernetes runs it: boots the container, serves /livez and /readyz on
// node:http, and on SIGTERM turns not ready, stops everything in reverse order and exits.
//   npm run build && node dist/samples/health-server.js   then: curl -i localhost:8080/readyz
import 'reflect-metadata';
import { createServer } from 'node:http';
import { Container, healthHandler } from 'bandmaster';

async function main(): Promise<void> {
  const container = new Container();
  let connected = true;
  container.register(
    {
      name: 'db',
      useFactory: () => ({ query: async () => [] }),
      healthCheck: async () => {
        if (!connected) throw new Error('connection lost');
      },
    },
    { name: 'api', dependsOn: ['db'], useFactory: () => ({}) },
  );
  // probes answer during the boot too: not ready until every required service is started
  const server = createServer(healthHandler(container, { details: true }));
  server.listen(Number(process.env['PORT'] ?? 8080), '127.0.0.1');
  container.register({ name: 'http', useValue: server, dependsOn: ['api'], onStop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  container.handleSignals({ timeout: 20_000 });
  await container.startAll({ timeout: 30_000 });
  // simulate a lost database connection after a while: /readyz turns 503, /livez stays 200
  setTimeout(() => (connected = false), 60_000).unref();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
