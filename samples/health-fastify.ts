// Kubernetes probes in a fastify application: readiness from the container, false as soon as a
// shutdown begins; fastify itself is closed by the container, after the services that use it.
//   npm run build && node dist/samples/health-fastify.js
import 'reflect-metadata';
import Fastify from 'fastify';
import { Container, probeReadiness } from 'bandmaster';

async function main(): Promise<void> {
  const container = new Container();
  const app = Fastify();
  app.get('/livez', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const { ready, shuttingDown } = await probeReadiness(container, { timeout: 1_000 });
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', shuttingDown });
  });
  container.register(
    { name: 'db', useFactory: () => ({ query: async () => [] }) },
    {
      name: 'http',
      dependsOn: ['db'],
      useValue: app,
      onStart: async (server: typeof app) => void (await server.listen({ port: Number(process.env['PORT'] ?? 8080), host: '127.0.0.1' })),
      onStop: (server: typeof app) => server.close(),
    },
  );
  container.handleSignals({ timeout: 20_000 });
  await container.startAll({ timeout: 30_000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
