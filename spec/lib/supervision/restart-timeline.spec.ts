import 'reflect-metadata';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { BootError, Container, defineProvider, optional, type TimelineRestart } from '../../../lib';
import { nextEvent } from './next-event';

/** A service whose start and stop take a few ms, so that its spans have a length; instances numbered. */
function slow(name: string, deps: (string | ReturnType<typeof optional>)[] = [], opts: { fail?: () => boolean } = {}) {
  let n = 0;
  return {
    name,
    deps,
    useFactory: (...injected: unknown[]) => {
      if (opts.fail?.()) throw new Error(`${name} cannot start`);
      return { name, n: ++n, injected };
    },
    onStart: () => sleep(5),
    onStop: () => sleep(5),
  };
}

interface Client {
  readonly n: number;
  lost?: (error: unknown) => void;
}

function losable(name: string, clients: Client[], restart: { maxRestarts: number; withinMs: number }) {
  const provider = defineProvider<object, Client>({
    provider: 'losable',
    configClass: class {},
    create: () => ({ n: clients.length + 1 }),
    start: async (client, { lost }) => {
      client.lost = lost;
      clients.push(client);
    },
    healthCheck: async () => undefined,
    stop: async () => undefined,
  });
  return provider({ name, restart });
}

describe('restarts in the timeline and the reports', () => {
  it('keeps the boot spans of restarted services and records each restart with its stop and start spans', async () => {
    const container = new Container({ logger: false });
    container.register(slow('db'), slow('repo', ['db']), slow('other'));
    await container.startAll();
    const boot = container.timeline();
    await container.restart('db');
    await container.restart('db');
    const timeline = container.timeline();
    const strip = (entries: typeof boot.entries) => entries.map(({ restarts: _, ...e }) => e);
    assert.deepEqual(strip(timeline.entries), strip(boot.entries));
    assert.equal(timeline.totalMs, boot.totalMs);
    assert.equal(timeline.entries.find((e) => e.name === 'db')?.restarts, 2);
    assert.equal(timeline.entries.find((e) => e.name === 'repo')?.restarts, 2);
    assert.equal(timeline.entries.find((e) => e.name === 'other')?.restarts, undefined);
    assert.equal(timeline.restarts.length, 2);
    const [first, second] = timeline.restarts as [TimelineRestart, TimelineRestart];
    assert.equal(first.service, 'db');
    assert.equal(first.trigger, 'on demand');
    assert.equal(first.outcome, 'restarted');
    assert.ok(second.atMs >= first.atMs + first.durationMs);
    assert.ok(first.atMs >= boot.totalMs);
    assert.deepEqual(first.services.map((s) => s.name), ['db', 'repo']);
    const [db, repo] = first.services;
    // dependents stop first, dependencies start first
    assert.ok(repo!.stopAtMs! + repo!.stopMs <= db!.stopAtMs! + 0.001);
    assert.ok(db!.stopMs >= 4 && repo!.stopMs >= 4);
    assert.ok(db!.settledMs! <= repo!.queuedMs! + repo!.waitedMs + 0.001);
    assert.ok(db!.queuedMs! >= db!.stopAtMs! + db!.stopMs - 0.001);
    assert.equal(db!.attempts, 1);
    assert.ok(db!.startMs >= 4);
    assert.equal(db!.state, 'started');
    assert.ok(repo!.settledMs! <= first.atMs + first.durationMs + 0.001);
    await container.stopAll();
  });

  it('draws the restarts in toText, toSvg and the trace events', async () => {
    const container = new Container({ logger: false });
    container.register(slow('db'), slow('repo', ['db']));
    await container.startAll();
    await container.restart('db');
    const timeline = container.timeline();
    const text = timeline.toText({ width: 30 });
    assert.match(text, /^restarts: 1$/m);
    assert.match(text, /^restart 1: db \(on demand\) at \d+ms, restarted in \d+ms$/m);
    assert.match(text, /^repo +\|▓+ *░*█+ *\| +stop +\d+ms +start +\d+ms +1× +started$/m);
    assert.match(text, /\(restarted 1×\)/);
    const svg = timeline.toSvg();
    assert.match(svg, /<g data-restart="1">/);
    assert.match(svg, /restart 1: db \(on demand\)/);
    assert.match(svg, /stopping \(restarts\)/);
    const trace = timeline.toTraceEvents();
    assert.equal(trace.otherData.restarts, 1);
    const track = trace.traceEvents.find((e) => e.name === 'thread_name' && e.args?.['name'] === 'restarts');
    assert.ok(track);
    // a wait slice only where a wait was measured: the dependencies' one may be a fraction of a ms
    const slices = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat?.startsWith('restart') && e.cat !== 'restart,wait');
    assert.deepEqual(slices.map((e) => e.name).sort(), ['db: start (restart 1)', 'db: stop (restart 1)', 'repo: start (restart 1)', 'repo: stop (restart 1)', 'restart 1: db'].sort());
    const restartSlice = slices.find((e) => e.tid === track.tid)!;
    assert.equal(restartSlice.args?.['services'], 'db, repo');
    await container.stopAll();
  });

  it('the report of restart() lists what was restarted, the service first', async () => {
    const container = new Container({ logger: false });
    container.register(slow('db'), slow('repo', ['db']), slow('api', ['repo']), slow('other'));
    await container.startAll();
    const report = await container.restart('db');
    assert.deepEqual(report.restarted, ['db', 'repo', 'api']);
    assert.match(report.toString(), /^restarted: db, repo, api$/m);
    assert.deepEqual((report.toJSON() as { restarted: string[] }).restarted, ['db', 'repo', 'api']);
    const boot = await container.startAll();
    assert.deepEqual(boot.restarted, []);
    assert.doesNotMatch(boot.toString(), /restarted:/);
    await container.stopAll();
  });

  it('a restart that cannot come back is in the timeline as failed, and its BootError report lists what it restarted', async () => {
    let broken = false;
    const container = new Container({ logger: false });
    container.register(slow('db', [], { fail: () => broken }), slow('repo', ['db']));
    await container.startAll();
    broken = true;
    const error = await container.restart('db').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BootError);
    assert.deepEqual(error.report.restarted, ['db', 'repo']);
    const [restart] = container.timeline().restarts;
    assert.equal(restart?.outcome, 'failed');
    assert.equal(restart?.services[0]?.state, 'failed');
    assert.match(restart?.services[0]?.error ?? '', /db cannot start/);
    assert.equal(restart?.services[1]?.state, 'failed');
    await container.stopAll();
  });

  it('records a supervised restart as lost with its reason, and a give-up as given up', async () => {
    const clients: Client[] = [];
    const container = new Container({ logger: false });
    container.register(losable('rd', clients, { maxRestarts: 1, withinMs: 60_000 }), slow('repo', ['rd']));
    await container.startAll();
    const restarted = nextEvent(container, 'restarted', 'rd');
    clients[0]!.lost!(new Error('connection closed for good'));
    await restarted;
    const gaveUp = nextEvent(container, 'restart-failed', 'rd');
    clients[1]!.lost!(new Error('closed again'));
    await gaveUp;
    await sleep(20);
    const [first, second] = container.timeline().restarts;
    assert.equal(first?.trigger, 'lost');
    assert.equal(first?.reason, 'connection closed for good');
    assert.equal(first?.outcome, 'restarted');
    assert.equal(second?.outcome, 'given up');
    assert.equal(second?.reason, 'closed again');
    assert.deepEqual(second?.services.map((s) => [s.name, s.state, s.stopAtMs !== undefined]), [['rd', 'failed', true], ['repo', 'failed', true]]);
    assert.match(container.timeline().toText(), /restart 2: rd \(lost: closed again\) at .*, given up in/);
    await container.stopAll();
  });

  it('listens to the lifecycle events only while a restart runs: afterwards nothing is built for nobody', async () => {
    let broken = false;
    const container = new Container({ logger: false });
    container.register(slow('db', [], { fail: () => broken }), slow('repo', ['db']));
    await container.startAll();
    assert.equal(container.events.active, false);
    await container.restart('db');
    assert.equal(container.events.active, false);
    broken = true;
    await assert.rejects(container.restart('db'), BootError);
    assert.equal(container.events.active, false);
    assert.equal(container.timeline().restarts.length, 2);
    await container.stopAll();
  });

  it('starts afresh after stopAll and the next boot: the restarts of the last run are no longer shown', async () => {
    const container = new Container({ logger: false });
    container.register(slow('db'), slow('repo', ['db']));
    await container.startAll();
    await container.restart('db');
    await container.stopAll();
    assert.equal(container.timeline().restarts.length, 1);
    await container.startAll();
    const timeline = container.timeline();
    assert.equal(timeline.restarts.length, 0);
    assert.equal(timeline.entries.find((e) => e.name === 'db')?.restarts, undefined);
    await container.stopAll();
  });
});

describe('a given-up service and its optional dependents', () => {
  it('fails the dependents that need it and starts again, without it, the ones that depend on it through optional()', async () => {
    const clients: Client[] = [];
    const container = new Container({ logger: false });
    container.register(
      losable('rd', clients, { maxRestarts: 0, withinMs: 60_000 }),
      slow('needs', ['rd']),
      slow('cache', [optional('rd')]),
      slow('api', ['cache']),
      slow('report', ['needs']),
    );
    await container.startAll();
    const before = container.resolve<{ n: number; injected: unknown[] }>('cache');
    assert.equal(before.injected[0], clients[0]);
    const apiStarted = nextEvent(container, 'started', 'api');
    clients[0]!.lost!(new Error('gone for good'));
    await apiStarted;
    const state = Object.fromEntries(container.status().map((s) => [s.name, [s.state, s.error?.kind]]));
    assert.deepEqual(state, {
      rd: ['failed', 'ServiceStartFailure'],
      needs: ['failed', 'DependencyUnavailable'],
      cache: ['started', undefined],
      api: ['started', undefined],
      report: ['failed', 'DependencyUnavailable'],
    });
    const cache = container.resolve<{ n: number; injected: unknown[] }>('cache');
    assert.equal(cache.n, 2);
    assert.equal(cache.injected[0], undefined);
    assert.equal(container.status().find((s) => s.name === 'report')?.error?.dependency, 'needs');
    // the next startAll tries the given-up service again, and what needs it
    await container.startAll();
    assert.equal(container.status().every((s) => s.state === 'started'), true);
    await container.stopAll();
  });
});
