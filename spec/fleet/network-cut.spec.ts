import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import Redis from 'ioredis';
import { TcpProxy, freePort } from '../faults/support/servers';
import { first, relayState, replica, timeline, type Engine, type Seen } from './cut-harness';
import { StallProxy } from './support/stall-proxy';

const REDIS = process.env.BANDMASTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CUT_MS = 1_000;
const target = (engine: Engine): number => (engine === 'pg' ? 5432 : 6379);

interface Outcome {
  readonly seen: Seen[];
  readonly holder: string | undefined;
  readonly standby: string | undefined;
}

/** Boots a holder behind a proxy and a standby, cuts the holder's network for 1 s, watches 2 s more. */
async function cut(engine: Engine, kind: 'reset' | 'stall', leaseMs: number): Promise<Outcome> {
  const seen: Seen[] = [];
  let cutAt = Number.POSITIVE_INFINITY;
  const t0 = (): number => cutAt;
  const key = `cut-${randomUUID()}`;
  const reset = kind === 'reset' ? new TcpProxy(await freePort(), target(engine)) : undefined;
  const stall = kind === 'stall' ? await new StallProxy(target(engine)).listen() : undefined;
  await reset?.restore();
  const port = reset?.port ?? stall!.port;
  const a = replica({ engine, port, key, leaseMs, label: 'holder', seen, t0 });
  const b = replica({ engine, port: target(engine), key, leaseMs, label: 'standby', seen, t0 });
  try {
    await a.startAll();
    await b.startAll();
    assert.deepEqual([relayState(a), relayState(b)], ['started', 'standby']);
    cutAt = performance.now();
    if (reset) {
      await reset.cut();
      await new Promise((r) => setTimeout(r, CUT_MS));
      await reset.restore();
    } else {
      await stall!.stall(CUT_MS);
    }
    await new Promise((r) => setTimeout(r, 2_000));
    return { seen: [...seen], holder: relayState(a), standby: relayState(b) }; // before the stops below
  } finally {
    await Promise.allSettled([a.stopAll({ timeout: 5_000 }), b.stopAll({ timeout: 5_000 })]);
    await reset?.cut();
    await stall?.close();
    if (engine === 'redis') {
      const client = new Redis(REDIS);
      await client.del(`bandmaster:lock:${key}`, `bandmaster:fence:${key}`);
      client.disconnect();
    }
  }
}

const report = (name: string, o: Outcome): void => console.log(`# network cut of 1 s, ${name}: holder ends ${o.holder}, standby ends ${o.standby}; ${timeline(o.seen)}`);

/** The holder's work ended before the standby's began, and the standby's began by `withinMs` of the cut. */
function handedOver(o: Outcome, endsBeforeMs: number, withinMs: number): void {
  const ended = first(o.seen, 'holder', 'work-ends');
  const began = first(o.seen, 'standby', 'work-begins');
  assert.ok(ended && began, `a takeover happened: ${timeline(o.seen)}`);
  assert.ok(ended.at < endsBeforeMs, `the holder stopped its work ${ended.at} ms after the cut`);
  assert.ok(began.at >= ended.at, `the standby began at ${began.at} ms, before the holder ended at ${ended.at} ms`);
  assert.ok(began.at < withinMs, `the standby began ${began.at} ms after the cut`);
  assert.deepEqual([o.holder, o.standby], ['standby', 'started'], 'once the network is back the old holder stays on standby');
}

function keptBy(o: Outcome): void {
  assert.equal(first(o.seen, 'holder', 'work-ends'), undefined, `the holder kept working: ${timeline(o.seen)}`);
  assert.equal(first(o.seen, 'standby', 'acquired'), undefined, 'nobody took the lock');
  assert.deepEqual([o.holder, o.standby], ['started', 'standby']);
}

describe('a 1-second network cut between the holder of an exclusive service and its lock database', () => {
  it('PostgreSQL, connections reset: the holder stops at once, the server drops its lock, a standby takes over within a poll, and the old holder comes back as standby', async () => {
    const o = await cut('pg', 'reset', 15_000);
    report('PostgreSQL, connections reset', o);
    handedOver(o, 200, 500);
  });

  it('PostgreSQL, packets held back for 1 s (under two heartbeats): the holder keeps the lock and nobody takes over', async () => {
    const o = await cut('pg', 'stall', 15_000);
    report('PostgreSQL, packets held back', o);
    keptBy(o);
  });

  for (const kind of ['reset', 'stall'] as const) {
    it(`Redis, lease 600 ms, ${kind === 'reset' ? 'connections reset' : 'packets held back'}: the holder stops before its lease ends, a standby takes over once it ends, and the old holder comes back as standby`, async () => {
      const o = await cut('redis', kind, 600);
      report(`Redis lease 600 ms, ${kind === 'reset' ? 'connections reset' : 'packets held back'}`, o);
      handedOver(o, 600, 600 + 400);
    });
  }

  it('Redis, lease 15 s, packets held back: the lease outlives the cut, the holder keeps it and nobody takes over', async () => {
    const o = await cut('redis', 'stall', 15_000);
    report('Redis lease 15 s, packets held back', o);
    keptBy(o);
  });
});
