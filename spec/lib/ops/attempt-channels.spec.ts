import 'reflect-metadata';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { Container } from '../../../lib';
import type { AttemptTraceContext, RunTraceContext } from '../../../lib/ops/attempt-channels';

/** Subscribes to a tracing channel's five events, recording `event service#attempt`; returns the log and the unsubscribe. */
function record(name: string): { log: string[]; off: () => void } {
  const channel = diagnostics.tracingChannel<object, AttemptTraceContext>(name);
  const log: string[] = [];
  const entry = (event: string) => (ctx: AttemptTraceContext): void => void log.push(`${event} ${ctx.service}#${ctx.attempt}`);
  const handlers = { start: entry('start'), end: entry('end'), asyncStart: entry('asyncStart'), asyncEnd: entry('asyncEnd'), error: entry('error') };
  channel.subscribe(handlers);
  return { log, off: () => channel.unsubscribe(handlers) };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('diagnostics_channel tracing of attempts', () => {
  it('publishes each start attempt on bandmaster:start with the promise protocol, a failed try with error, a hookless one too', async () => {
    const start = record('bandmaster:start');
    let calls = 0;
    const container = new Container({ logger: false });
    container.register(
      { name: 'db', useFactory: () => ({}), onStart: async () => tick() },
      { name: 'flaky', retries: 1, useFactory: () => ({}), onStart: () => {
        if (++calls === 1) throw new Error('first try fails');
      } },
      { name: 'plain', useValue: 1 },
    );
    try {
      await container.startAll();
    } finally {
      start.off();
    }
    const of = (service: string): string[] => start.log.filter((l) => l.includes(` ${service}#`));
    assert.deepEqual(of('db'), ['start db#1', 'end db#1', 'asyncStart db#1', 'asyncEnd db#1']);
    assert.deepEqual(of('flaky'), ['start flaky#1', 'error flaky#1', 'end flaky#1', 'start flaky#2', 'end flaky#2']);
    assert.deepEqual(of('plain'), ['start plain#1', 'end plain#1']);
    await container.stopAll();
  });

  it('publishes stop attempts on bandmaster:stop, and a rejected stop with error', async () => {
    const container = new Container({ logger: false });
    container.register(
      { name: 'db', useFactory: () => ({}), onStop: async () => tick() },
      { name: 'broken', useFactory: () => ({}), onStop: async () => Promise.reject(new Error('cannot close')) },
    );
    await container.startAll();
    const stop = record('bandmaster:stop');
    try {
      await assert.rejects(container.stopAll(), { name: 'ShutdownError' });
    } finally {
      stop.off();
    }
    assert.deepEqual(stop.log.filter((l) => l.includes(' db#')), ['start db#1', 'end db#1', 'asyncStart db#1', 'asyncEnd db#1']);
    assert.deepEqual(stop.log.filter((l) => l.includes(' broken#')), ['start broken#1', 'end broken#1', 'error broken#1', 'asyncStart broken#1', 'asyncEnd broken#1']);
  });

  it('runs the hook inside the stores bound to bandmaster:start, so an APM context is active in it, across awaits', async () => {
    const channel = diagnostics.tracingChannel<object, AttemptTraceContext>('bandmaster:start');
    const store = new AsyncLocalStorage<{ readonly span: string }>();
    channel.start.bindStore(store, (ctx) => ({ span: `span of ${ctx.service}` }));
    const seen: (string | undefined)[] = [];
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}), onStart: async () => {
      seen.push(store.getStore()?.span);
      await tick();
      seen.push(store.getStore()?.span);
    } });
    try {
      await container.startAll();
    } finally {
      channel.start.unbindStore(store);
    }
    assert.deepEqual(seen, ['span of db', 'span of db']);
    assert.equal(store.getStore(), undefined);
    await container.stopAll();
  });

  it('publishes nothing once nobody subscribes', async () => {
    const start = record('bandmaster:start');
    start.off();
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}), onStart: async () => tick() });
    await container.startAll();
    await container.stopAll();
    assert.deepEqual(start.log, []);
  });
});

describe('diagnostics_channel tracing of startAll and stopAll', () => {
  it('publishes each startAll and stopAll call on bandmaster:run with its container and operation, the report as result, a BootError as error', async () => {
    const channel = diagnostics.tracingChannel<object, RunTraceContext>('bandmaster:run');
    const log: string[] = [];
    const containers = new Set<object>();
    const results: unknown[] = [];
    const entry = (event: string) => (ctx: RunTraceContext): void => {
      containers.add(ctx.container);
      if (event === 'asyncEnd' && ctx.error === undefined) results.push(ctx.result);
      const outcome = ctx.error !== undefined ? ` ${(ctx.error as Error).name}` : ' report';
      log.push(`${event} ${ctx.operation}${event === 'asyncEnd' ? outcome : ''}`);
    };
    const handlers = { start: entry('start'), end: entry('end'), asyncStart: entry('asyncStart'), asyncEnd: entry('asyncEnd'), error: entry('error') };
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}) });
    const broken = new Container({ logger: false });
    broken.register({ name: 'down', useFactory: () => Promise.reject(new Error('refused')) });
    const reports: unknown[] = [];
    channel.subscribe(handlers);
    try {
      reports.push(await container.startAll());
      reports.push(await container.stopAll());
      await assert.rejects(broken.startAll(), { name: 'BootError' });
    } finally {
      channel.unsubscribe(handlers);
    }
    assert.deepEqual(log, [
      'start startAll', 'end startAll', 'asyncStart startAll', 'asyncEnd startAll report',
      'start stopAll', 'end stopAll', 'asyncStart stopAll', 'asyncEnd stopAll report',
      'start startAll', 'end startAll', 'error startAll', 'asyncStart startAll', 'asyncEnd startAll BootError',
    ]);
    assert.deepEqual([...containers], [container, broken]);
    assert.equal(results.length, 2);
    results.forEach((result, i) => assert.equal(result, reports[i]));
  });

  it('still rejects a malformed option of startAll and stopAll while bandmaster:run is traced', async () => {
    const channel = diagnostics.tracingChannel<object, RunTraceContext>('bandmaster:run');
    const none = (): void => undefined;
    const handlers = { start: none, end: none, asyncStart: none, asyncEnd: none, error: none };
    channel.subscribe(handlers);
    try {
      const container = new Container({ logger: false });
      await assert.rejects(container.startAll({ timeout: -1 }), { kind: 'InvalidArgument' });
      await assert.rejects(container.stopAll(null as never), { kind: 'InvalidArgument' });
    } finally {
      channel.unsubscribe(handlers);
    }
  });
});
