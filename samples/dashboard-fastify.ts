// The live dashboard under Fastify: the routes hand the raw request to the handler (it streams
// server-sent events, so Fastify lets go of the reply): http://127.0.0.1:9090/bandmaster
//   npm run build && node dist/samples/dashboard-fastify.js
import 'reflect-metadata';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Container, dashboardHandler } from 'bandmaster';

async function main(): Promise<void> {
  const container = new Container();
  const app = Fastify();
  const dashboard = dashboardHandler(container, { path: '/bandmaster' });
  const serveDashboard = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    dashboard(request.raw, reply.raw);
  };
  app.get('/bandmaster', serveDashboard);
  app.get('/bandmaster/*', serveDashboard);
  container.register(
    { name: 'db', useFactory: () => ({ query: async () => [] }) },
    {
      name: 'http',
      dependsOn: ['db'],
      useValue: app,
      onStart: async (server: typeof app) => void (await server.listen({ port: Number(process.env['PORT'] ?? 9090), host: '127.0.0.1' })),
      // open dashboard pages hold an event stream: end them, or close() waits for them
      onStop: (server: typeof app) => (dashboard.close(), server.close()),
    },
  );
  container.handleSignals({ timeout: 10_000 });
  await container.startAll({ timeout: 30_000 });
  console.log(`dashboard on http://127.0.0.1:${process.env['PORT'] ?? 9090}/bandmaster`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
