// app/visits/route.ts: a Route Handler using a started bandmaster service (real PostgreSQL and Redis).
import { appContainer, type Visits } from '../../container';

// answered per request, never prerendered at build time (the build has no servers to ask)
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const { container, booted } = appContainer();
  await booted; // register() already awaited it; this also covers a route evaluated first
  return Response.json(await container.resolve<Visits>('visits').count(`bandmaster:sample:next:${process.pid}`));
}
