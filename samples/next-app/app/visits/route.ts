// app/visits/route.ts: a Route Handler using a started bandmaster service (real PostgreSQL and
// Redis) and a request-scoped one, built for this request and disposed once the answer is built.
import { appContainer, type Visits } from '../../container';
import { inRequestScope, type VisitLog } from '../../request-scope';

// answered per request, never prerendered at build time (the build has no servers to ask)
export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const { container, booted } = appContainer();
  await booted; // register() already awaited it; this also covers a route evaluated first
  return inRequestScope(container, request, async (scope) => {
    const counted = await container.resolve<Visits>('visits').count(`bandmaster:sample:next:${process.pid}`);
    // by name, as Visits: a hot reload makes a new VisitLog class, the container keeps the first
    const log = await scope.resolve<VisitLog>('visit-log');
    return Response.json({ ...counted, ...(await log.record()) });
  });
}
