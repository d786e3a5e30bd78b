// app/visits/route.ts: a Route Handler using a started bandmaster service.
import { appContainer, type Visits } from './container';

export async function GET(): Promise<Response> {
  const { container, booted } = appContainer();
  await booted; // register() already awaited it; this also covers a route evaluated first
  return Response.json(await container.resolve<Visits>('visits').count(`bandmaster:sample:next:${process.pid}`));
}
