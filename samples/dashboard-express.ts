// The live dashboard as an Express middleware, beside the application's own routes:
// http://127.0.0.1:9090/bandmaster
//   npm run build && node dist/samples/dashboard-express.js
import 'reflect-metadata';
import express from 'express';
import { Container, dashboardHandler } from 'bandmaster';

async function main(): Promise<void> {
  const container = new Container();
  container.register(
    { name: 'db', useFactory: () => ({ query: async () => [{ id: 1 }] }) },
    { name: 'cache', deps: ['db'], useFactory: () => ({}) },
  );
  const app = express();
  // read-only, but it shows the topology: mount it where only operators reach it
  const dashboard = dashboardHandler(container);
  app.use(dashboard);
  app.get('/', (_req, res) => void res.send('hello'));
  const port = Number(process.env['PORT'] ?? 9090);
  const server = app.listen(port, '127.0.0.1', () => console.log(`dashboard on http://127.0.0.1:${port}/bandmaster`));
  container.register({
    name: 'http',
    dependsOn: ['cache'],
    useValue: server,
    onStop: () => {
      // open dashboard pages hold an event stream: end them, or close() waits for them
      dashboard.close();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  container.handleSignals({ timeout: 10_000 });
  await container.startAll({ timeout: 30_000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
