import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, type LifecycleEvent } from '../../../lib';

/** A service whose instances are numbered: `{ name, n }`, the nth built. */
function numbered(name: string, deps: string[] = [], opts: { fail?: () => boolean; log?: string[] } = {}) {
  let n = 0;
  return {
    name,
    deps,
    useFactory: () => {
      if (opts.fail?.()) throw new Error(`${name} cannot start`);
      return { name, n: ++n };
    },
    onStart: (i: { n: number }) => void opts.log?.push(`start ${name}#${i.n}`),
    onStop: (i: { n: number }) => void opts.log?.push(`stop ${name}#${i.n}`),
  };
}

function events(container: Container): string[] {
  const seen: string[] = [];
  container.events.on((e: LifecycleEvent) => seen.push(`${e.type} ${e.service}`));
  return seen;
}

describe('container.restart()', () => {
  it('stops the started dependents first, then the service, and starts it and them again with fresh instances', async () => {
    const log: string[] = [];
    const container = new Container({ logger: false });
    container.register(numbered('db', [], { log }), numbered('repo', ['db'], { log }), numbered('api', ['repo'], { log }), numbered('other', [], { log }));
    await container.startAll();
    log.length = 0;
    const report = await container.restart('db');
    assert.deepEqual(log, ['stop api#1', 'stop repo#1', 'stop db#1', 'start db#2', 'start repo#2', 'start api#2']);
    assert.equal((container.resolve('api') as { n: number }).n, 2);
    assert.equal((container.resolve('other') as { n: number }).n, 1);
    assert.equal(report.services.find((s) => s.name === 'db')?.state, 'started');
  });

  it('emits restarting, the usual stop and start events, then restarted', async () => {
    const container = new Container({ logger: false });
    container.register(numbered('db'), numbered('repo', ['db']));
    await container.startAll();
    const seen = events(container);
    await container.restart('db');
    assert.deepEqual(seen, ['restarting db', 'stopping repo', 'stopped repo', 'stopping db', 'stopped db', 'starting db', 'started db', 'starting repo', 'started repo', 'restarted db']);
  });

  it('starts a service that is not started, with its dependencies', async () => {
    const container = new Container({ logger: false });
    container.register(numbered('db'), numbered('repo', ['db']));
    await container.restart('repo');
    assert.equal(container.status().every((s) => s.state === 'started'), true);
  });

  it('rejects with a BootError and emits restart-failed when the service cannot come back', async () => {
    let broken = false;
    const container = new Container({ logger: false });
    container.register(numbered('db', [], { fail: () => broken }), numbered('repo', ['db']));
    await container.startAll();
    const seen: LifecycleEvent[] = [];
    container.events.on((e) => seen.push(e));
    broken = true;
    await assert.rejects(container.restart('db'), BootError);
    const failed = seen.find((e) => e.type === 'restart-failed');
    assert.equal(failed?.type === 'restart-failed' && failed.error.service, 'db');
    assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['db', 'failed'], ['repo', 'failed']]);
  });

  it('resolves ready() waiters with the new instance', async () => {
    const container = new Container({ logger: false });
    container.register(numbered('db'));
    await container.startAll();
    const restarting = container.restart('db');
    const waiting = new Promise((resolve) => container.events.on((e) => e.type === 'stopped' && resolve(container.ready('db'))));
    await restarting;
    assert.equal(((await waiting) as { n: number }).n, 2);
  });

  it('counts the restarts in status()', async () => {
    const container = new Container({ logger: false });
    container.register(numbered('db'), numbered('other'));
    await container.startAll();
    await container.restart('db');
    await container.restart('db');
    assert.equal(container.status().find((s) => s.name === 'db')?.restarts, 2);
    assert.equal(container.status().find((s) => s.name === 'other')?.restarts, undefined);
  });

  it('rejects an unknown service with ServiceUnknown and a bad timeout with InvalidArgument', async () => {
    const container = new Container({ logger: false });
    await assert.rejects(container.restart('nope'), { kind: 'ServiceUnknown' });
    await assert.rejects(container.restart('nope', { timeout: -1 }), { kind: 'InvalidArgument' });
  });

  it('a stopAll during a restart ends it, rejecting it, and stops everything', async () => {
    let release!: () => void;
    let slow = false;
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}), onStart: (_i: unknown, signal: AbortSignal) => (slow ? new Promise<void>((resolve, reject) => ((release = resolve), signal.addEventListener('abort', () => reject(signal.reason)))) : undefined) }, numbered('repo', ['db']));
    await container.startAll();
    slow = true;
    const restarting = container.restart('db');
    await new Promise((resolve) => container.events.on((e) => e.type === 'starting' && e.service === 'db' && resolve(undefined)));
    const stopping = container.stopAll();
    await assert.rejects(restarting, BootError);
    await stopping;
    release?.();
    assert.deepEqual(container.status().map((s) => s.state), ['stopped', 'stopped']);
  });

  it('two restarts at once run one after the other and leave every service started', async () => {
    const container = new Container({ logger: false });
    container.register(numbered('db'), numbered('repo', ['db']));
    await container.startAll();
    await Promise.all([container.restart('db'), container.restart('repo')]);
    assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['db', 'started'], ['repo', 'started']]);
    assert.equal((container.resolve('repo') as { n: number }).n, 3);
  });
});
