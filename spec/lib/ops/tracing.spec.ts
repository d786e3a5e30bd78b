import 'reflect-metadata';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { trace, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { Container, traceLifecycle } from '../../../lib';

interface RecordedSpan {
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  status?: { code: number; message?: string };
  readonly exceptions: unknown[];
  ended: boolean;
}

/** A tracer provider that records spans in memory, registered through the API's global. */
function recordingProvider(spans: RecordedSpan[]): TracerProvider {
  const tracer = {
    startSpan(name: string, options?: { attributes?: Record<string, unknown> }) {
      const span: RecordedSpan = { name, attributes: { ...options?.attributes }, exceptions: [], ended: false };
      spans.push(span);
      const api = {
        setAttribute: (k: string, v: unknown) => ((span.attributes[k] = v), api),
        setStatus: (s: { code: number; message?: string }) => ((span.status = s), api),
        recordException: (e: unknown) => void span.exceptions.push(e),
        end: () => void (span.ended = true),
      };
      return api as unknown as Span;
    },
  } as unknown as Tracer;
  return { getTracer: () => tracer };
}

const spans: RecordedSpan[] = [];
trace.setGlobalTracerProvider(recordingProvider(spans));
after(() => trace.disable());

const FIXTURE = join(__dirname, 'fixtures', 'tracing-app.js');

describe('traceLifecycle', () => {
  it('records a root span per startAll and stopAll, and one span per start and stop attempt with the service, the attempt and the outcome', async () => {
    spans.length = 0;
    const container = new Container({ logger: false });
    let calls = 0;
    container.register(
      { name: 'db', useFactory: () => ({}) },
      { name: 'flaky', deps: ['db'], retries: 1, backoff: 1, useFactory: () => (++calls === 1 ? Promise.reject(new Error('refused')) : {}) },
    );
    const untrace = traceLifecycle(container);
    await container.startAll();
    await container.stopAll();
    untrace();
    const summary = spans.map((s) => [s.name, s.attributes['bandmaster.attempt'], s.status?.code, s.ended]);
    assert.deepEqual(summary, [
      ['startAll', undefined, 1, true],
      ['start db', 1, 1, true],
      ['start flaky', 1, 2, true],
      ['start flaky', 2, 1, true],
      ['stopAll', undefined, 1, true],
      ['stop flaky', 1, 1, true],
      ['stop db', 1, 1, true],
    ]);
    assert.equal(spans[0]!.attributes['bandmaster.operation'], 'startAll');
    const failed = spans[2]!;
    assert.equal(failed.attributes['bandmaster.service'], 'flaky');
    assert.equal(failed.attributes['bandmaster.phase'], 'start');
    assert.equal(failed.attributes['bandmaster.retry_delay_ms'], 1);
    assert.equal(failed.status?.message, 'refused');
    assert.equal((failed.exceptions[0] as Error).message, 'refused');
  });

  it('ends the span of an attempt cut short by an abort with an error, and its startAll span too', async () => {
    spans.length = 0;
    const container = new Container({ logger: false });
    container.register({ name: 'slow', useFactory: () => new Promise(() => undefined) });
    const untrace = traceLifecycle(container);
    await assert.rejects(container.startAll({ timeout: 20 }));
    untrace();
    assert.deepEqual(spans.map((s) => [s.name, s.status?.code, s.ended]), [['startAll', 2, true], ['start slow', 2, true]]);
  });

  it('boots and stops as usual with a tracer whose startSpan throws, and warns of it', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}), onStart: async () => undefined });
    const untrace = traceLifecycle(container, { tracer: { startSpan: () => { throw new Error('exporter gone'); } } });
    try {
      await container.startAll();
      await container.stopAll();
    } finally {
      untrace();
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    }
    assert.equal(container.status()[0]?.state, 'stopped');
    assert.ok(warnings.some((w) => w === 'bandmaster: tracing failed: exporter gone'), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes('a lifecycle listener threw') && w.includes('exporter gone')), warnings.join('\n'));
  });

  it('stops recording once the returned function is called', async () => {
    spans.length = 0;
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}) });
    traceLifecycle(container)();
    await container.startAll();
    await container.stopAll();
    assert.equal(spans.length, 0);
  });

  it('loads @opentelemetry/api only when tracing is asked for, and does nothing without it', () => {
    const present = JSON.parse(execFileSync(process.execPath, [FIXTURE, 'present'], { encoding: 'utf8' })) as Record<string, unknown>;
    assert.deepEqual(present, { afterImport: false, afterTracing: true, state: 'stopped' });
    const absent = JSON.parse(execFileSync(process.execPath, [FIXTURE, 'absent'], { encoding: 'utf8' })) as Record<string, unknown>;
    assert.deepEqual(absent, { afterImport: false, afterTracing: false, state: 'stopped' });
  });
});
