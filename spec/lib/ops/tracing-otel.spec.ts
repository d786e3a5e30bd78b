// The OpenTelemetry SDK, its async-hooks context managers and pg's auto-instrumentation against
// the real PostgreSQL: the client spans a hook makes nest under its attempt's span, which nests
// under the root span of the startAll, stopAll or restart it belongs to.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { context, trace, type ContextManager } from '@opentelemetry/api';
import { AsyncHooksContextManager, AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Client, ClientConfig } from 'pg';
import { Container, traceLifecycle } from '../../../lib';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
// enabled before pg is loaded: the instrumentation patches pg as it is required
const instrumentation = new PgInstrumentation();
instrumentation.setTracerProvider(provider);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as { Client: new (config: ClientConfig) => Client };

const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const id = (s: ReadableSpan): string => s.spanContext().spanId;
const parentOf = (s: ReadableSpan): string | undefined => s.parentSpanContext?.spanId;
const ours = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === 'bandmaster');
const pgSpans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name.includes('instrumentation-pg'));

/** The one finished bandmaster span named `name` (the `n`th when several are). */
function span(name: string, n = 0): ReadableSpan {
  const found = ours().filter((s) => s.name === name);
  assert.ok(found[n], `no span ${name} #${n} in ${ours().map((s) => s.name).join(', ')}`);
  return found[n];
}

/** A service `name` whose onStart connects a pg client and runs queries across awaits, and whose onStop closes it. */
function pgService(name: string, deps: string[] = [], more: { healthCheck?: () => unknown; restart?: { maxRestarts: number; withinMs: number } } = {}) {
  return {
    ...more,
    name,
    deps,
    useFactory: () => ({ client: new pg.Client({ connectionString: PG_URL, application_name: `bandmaster-otel-${name}` }) }),
    onStart: async ({ client }: { client: Client }) => {
      await client.connect();
      await tick();
      await client.query('SELECT 1 AS one');
    },
    onStop: async ({ client }: { client: Client }) => client.end(),
  };
}

for (const [label, make] of [
  ['AsyncLocalStorageContextManager', () => new AsyncLocalStorageContextManager()],
  ['AsyncHooksContextManager', () => new AsyncHooksContextManager()],
] as const) {
  describe(`traceLifecycle with the OpenTelemetry SDK and ${label}`, () => {
    let manager: ContextManager;
    before(() => {
      manager = make().enable();
      context.setGlobalContextManager(manager);
    });
    after(() => {
      manager.disable();
      context.disable();
    });

    it('nests the pg connect and query spans of an onStart under its start attempt span, and that under the startAll span', async () => {
      exporter.reset();
      const container = new Container({ logger: false });
      container.register(pgService('db'), pgService('api', ['db']));
      const untrace = traceLifecycle(container);
      try {
        await container.startAll();
        await container.stopAll();
      } finally {
        untrace();
      }
      const startAll = span('startAll');
      const stopAll = span('stopAll');
      assert.equal(parentOf(startAll), undefined);
      assert.equal(parentOf(stopAll), undefined);
      for (const service of ['db', 'api']) {
        const start = span(`start ${service}`);
        assert.equal(parentOf(start), id(startAll), `start ${service} is a child of startAll`);
        assert.equal(parentOf(span(`stop ${service}`)), id(stopAll), `stop ${service} is a child of stopAll`);
        const clientSpans = pgSpans().filter((s) => parentOf(s) === id(start));
        assert.deepEqual(clientSpans.map((s) => s.name.split(':')[0]).sort(), ['pg.connect', 'pg.query'], `the pg spans of ${service}'s onStart`);
        for (const s of clientSpans) assert.equal(s.spanContext().traceId, startAll.spanContext().traceId);
      }
      assert.equal(pgSpans().length, 4, pgSpans().map((s) => s.name).join(', '));
    });

    it('nests each try of a retried start under its own attempt span, and leaks no context past the hook', async () => {
      exporter.reset();
      let tries = 0;
      const container = new Container({ logger: false });
      container.register({
        name: 'db',
        retries: 1,
        backoff: 1,
        useFactory: () => ({ client: new pg.Client({ connectionString: PG_URL }) }),
        onStart: async ({ client }: { client: Client }) => {
          await client.connect();
          // the first try fails after a query of its own, and closes its client
          if (++tries > 1) return void (await client.query('SELECT 1'));
          await client.query('SELECT no_such_column').finally(() => client.end());
        },
        onStop: async ({ client }: { client: Client }) => client.end(),
      });
      const untrace = traceLifecycle(container);
      const outside = new pg.Client({ connectionString: PG_URL });
      try {
        await container.startAll();
        await outside.connect();
        await outside.query('SELECT 2');
        await container.stopAll();
      } finally {
        await outside.end();
        untrace();
      }
      const [first, second] = [span('start db', 0), span('start db', 1)];
      assert.equal(first.status.code, 2);
      assert.equal(second.status.code, 1);
      const under = (s: ReadableSpan): string[] => pgSpans().filter((p) => parentOf(p) === id(s)).map((p) => p.name.split(':')[0]!).sort();
      assert.deepEqual(under(first), ['pg.connect', 'pg.query']);
      assert.deepEqual(under(second), ['pg.connect', 'pg.query']);
      // the test's own client, after startAll: no bandmaster span is active there
      assert.deepEqual(pgSpans().filter((p) => parentOf(p) === undefined).map((p) => p.name.split(':')[0]).sort(), ['pg.connect', 'pg.query']);
    });

    it('records a restart as a root span with the stop and start attempts as its children', async () => {
      exporter.reset();
      const container = new Container({ logger: false });
      container.register(pgService('db'));
      const untrace = traceLifecycle(container);
      try {
        await container.startAll();
        await container.restart('db');
        await container.stopAll();
      } finally {
        untrace();
      }
      const restart = span('restart db');
      assert.equal(parentOf(restart), undefined);
      assert.equal(restart.attributes['bandmaster.service'], 'db');
      assert.equal(parentOf(span('stop db', 0)), id(restart));
      const again = span('start db', 1);
      assert.equal(parentOf(again), id(restart));
      assert.equal(pgSpans().filter((p) => parentOf(p) === id(again)).length, 2);
      assert.equal(parentOf(span('stop db', 1)), id(span('stopAll')));
    });
  });
}

/** The checkout's package.json, found up the tree from this spec's build folder (dist/, or .build/ts7/dist/). */
function packageJson(): { version: string } {
  for (let dir = __dirname, depth = 0; depth < 8; depth++, dir = join(dir, '..')) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'bandmaster') return pkg;
    } catch {
      // one folder up
    }
  }
  throw new Error(`no package.json of bandmaster above ${__dirname}`);
}

describe('traceLifecycle with the OpenTelemetry SDK, any context manager', () => {
  before(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  after(() => context.disable());

  it('names its tracer bandmaster with the package version', async () => {
    exporter.reset();
    const container = new Container({ logger: false });
    container.register({ name: 'db', useValue: 1 });
    const untrace = traceLifecycle(container);
    await container.startAll();
    untrace();
    const { version } = packageJson();
    assert.deepEqual({ ...span('start db').instrumentationScope }, { name: 'bandmaster', version, schemaUrl: undefined });
  });

  it('puts the attempts of two containers traced at once under their own startAll', async () => {
    exporter.reset();
    const [a, b] = [new Container({ logger: false }), new Container({ logger: false })];
    a.register(pgService('db'));
    b.register(pgService('db'));
    const offs = [traceLifecycle(a), traceLifecycle(b)];
    try {
      await Promise.all([a.startAll(), b.startAll()]);
      await Promise.all([a.stopAll(), b.stopAll()]);
    } finally {
      for (const off of offs) off();
    }
    const roots = [span('startAll', 0), span('startAll', 1)].map(id);
    const starts = [span('start db', 0), span('start db', 1)];
    assert.deepEqual(starts.map(parentOf).sort(), [...roots].sort());
    for (const start of starts) assert.equal(pgSpans().filter((p) => parentOf(p) === id(start)).length, 2);
    assert.equal(ours().filter((s) => s.name === 'startAll').length, 2);
  });

  it('begins a trace of its own for a supervised restart after a loss, even where the boot ran inside a span', async () => {
    exporter.reset();
    let healthy = true;
    const container = new Container({ logger: false, healthInterval: 10, healthFailures: 1 });
    container.register(pgService('db', [], { healthCheck: () => (healthy ? true : Promise.reject(new Error('gone'))), restart: { maxRestarts: 2, withinMs: 60_000 } }));
    const untrace = traceLifecycle(container);
    const restarted = new Promise<void>((resolve) => container.events.on((e) => void (e.type === 'restarted' && resolve())));
    try {
      // the health poll is armed inside this span: the loss it finds is not part of it
      await trace.getTracer('app').startActiveSpan('request', async (request) => {
        await container.startAll();
        request.end();
      });
      healthy = false;
      await new Promise((resolve) => setTimeout(resolve, 30));
      healthy = true;
      await restarted;
      await container.stopAll();
    } finally {
      untrace();
    }
    const request = exporter.getFinishedSpans().find((s) => s.name === 'request')!;
    assert.equal(parentOf(span('startAll')), id(request));
    const restart = span('restart db');
    assert.equal(parentOf(restart), undefined);
    assert.notEqual(restart.spanContext().traceId, request.spanContext().traceId);
    const again = span('start db', 1);
    assert.equal(parentOf(again), id(restart));
    assert.equal(pgSpans().filter((p) => parentOf(p) === id(again)).length, 2);
  });

  it('leaves the tracing channels without subscribers once it stops', async () => {
    const channels = ['bandmaster:start', 'bandmaster:stop', 'bandmaster:run'].map((name) => diagnostics.tracingChannel(name));
    const container = new Container({ logger: false });
    const untrace = traceLifecycle(container);
    assert.deepEqual(channels.map((c) => c.hasSubscribers), [true, true, true]);
    untrace();
    assert.deepEqual(channels.map((c) => c.hasSubscribers), [false, false, false]);
  });
});
