// app/livez/route.ts: the liveness probe. It asks no dependency: a Redis outage must make the
// instance unready, not get it restarted.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'alive' });
}
