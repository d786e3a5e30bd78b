// Shared by the network-cut spec: two in-process replicas of an app with one exclusive service,
// the holder reaching its lock database through a proxy that the spec cuts.
import 'reflect-metadata';
import { Container } from '../../lib';
import { redis } from '../../providers/redis';
import { sql } from '../../providers/sql';

export type Engine = 'pg' | 'redis';

/** One event of the relay (or its lock service) on one replica, `at` ms after the cut began. */
export interface Seen {
  readonly replica: string;
  readonly type: string;
  readonly service: string;
  readonly at: number;
}

/** A replica: a container with `lock` (sql or redis on `port`) and an exclusive `relay`. */
export function replica(options: { engine: Engine; port: number; key: string; leaseMs: number; label: string; seen: Seen[]; t0: () => number }): Container {
  const { engine, port, key, leaseMs, label, seen, t0 } = options;
  const lock = engine === 'pg' ? sql({ name: 'lock', config: { url: `postgres://postgres@127.0.0.1:${port}/postgres` } }) : redis({ name: 'lock', config: { uri: `redis://127.0.0.1:${port}` } });
  const c = new Container({ logger: false });
  const note = (type: string, service = 'relay'): void => void seen.push({ replica: label, type, service, at: Math.round(performance.now() - t0()) });
  // the relay's own hooks mark when its work begins and ends, apart from the lock's events around them
  c.register(lock, { name: 'relay', useFactory: () => ({}), onStart: () => note('work-begins'), onStop: () => note('work-ends'), exclusive: { lock: 'lock', key, leaseMs } });
  c.events.on((e) => note(e.type, e.service));
  return c;
}

/** The state of `relay` on `c`. */
export const relayState = (c: Container): string | undefined => c.status().find((s) => s.name === 'relay')?.state;

/** The first event matching, after the cut began. */
export const first = (seen: readonly Seen[], replica: string, type: string, service = 'relay'): Seen | undefined =>
  seen.find((s) => s.replica === replica && s.type === type && s.service === service && s.at >= 0);

/** A timeline line for the spec's output. */
export const timeline = (seen: readonly Seen[]): string =>
  seen
    .filter((s) => s.at >= 0)
    .map((s) => `${s.replica}:${s.service}:${s.type}@${s.at}`)
    .join(' ');
