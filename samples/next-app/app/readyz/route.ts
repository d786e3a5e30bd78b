// app/readyz/route.ts: the readiness probe for the platform's load balancer (503 while booting
// and from the start of a shutdown on).
// each route is an entry point: the polyfill comes before bandmaster
import 'reflect-metadata';
import { probeReadiness } from 'bandmaster';
import { appContainer } from '../../container';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const { ready, shuttingDown } = await probeReadiness(appContainer().container);
  return Response.json({ status: ready ? 'ready' : 'not ready', shuttingDown }, { status: ready ? 200 : 503 });
}
