// app/readyz/route.ts: the readiness probe for the platform's load balancer.
import { probeReadiness } from 'bandmaster';
import { appContainer } from './container';

export async function GET(): Promise<Response> {
  const { ready, shuttingDown } = await probeReadiness(appContainer().container);
  return Response.json({ status: ready ? 'ready' : 'not ready', shuttingDown }, { status: ready ? 200 : 503 });
}
