import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { Container, isBandmasterError, METRIC_NAMES, otelMetrics, prometheusMetrics } from '../../lib';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** db starts in ~30 ms; flaky needs a second attempt; bad never starts; idle is not booted. */
function sample(): Container {
  const container = new Container({ logger: false });
  let calls = 0;
  container.register(
    { name: 'db', useFactory: async () => (await sleep(30), {}) },
    { name: 'flaky', deps: ['db'], retries: 1, backoff: 1, useFactory: () => (++calls === 1 ? Promise.reject(new Error('refused')) : {}) },
    { name: 'bad', required: false, useFactory: () => Promise.reject(new Error('ECONNREFUSED')) },
  );
  return container;
}

describe('prometheusMetrics', () => {
  it("registers DESIGN's metrics on a prom-client registry and fills them from a boot, a stop and a restart", async () => {
    const container = sample();
    const registry = new Registry();
    const off = prometheusMetrics(container, { registry });
    const before = await registry.getMetricsAsJSON();
    assert.deepEqual(before.map((m) => m.name).sort(), Object.values(METRIC_NAMES).sort());
    await container.startAll();
    const value = async (name: string, service?: string): Promise<number | undefined> => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)!;
      return metric.values.find((v) => service === undefined || v.labels['service'] === service)?.value;
    };
    assert.equal(await value(METRIC_NAMES.up, 'db'), 1);
    assert.equal(await value(METRIC_NAMES.up, 'bad'), 0);
    assert.equal(await value(METRIC_NAMES.attempts, 'db'), 1);
    assert.equal(await value(METRIC_NAMES.attempts, 'flaky'), 2);
    assert.equal(await value(METRIC_NAMES.attempts, 'bad'), 1);
    const boot = (await value(METRIC_NAMES.boot))!;
    assert.ok(boot >= 0.025 && boot < 5, `boot ${boot}s`);
    const text = await registry.metrics();
    assert.match(text, /bandmaster_service_start_duration_seconds_count\{service="db"\} 1/);
    assert.match(text, /bandmaster_service_start_duration_seconds_bucket\{le="0.01",service="db"\} 0/);
    // a 30 ms start lands in a bucket of at most 5 s, however busy the machine (a loaded CI saw 140 ms)
    assert.match(text, /bandmaster_service_start_duration_seconds_bucket\{le="5",service="db"\} 1/);
    assert.doesNotMatch(text, /start_duration_seconds_count\{service="bad"\}/);
    assert.doesNotMatch(text, /restarts_total\{service="db"\} [1-9]/);

    await container.stopAll();
    assert.equal(await value(METRIC_NAMES.up, 'db'), 0);
    await container.startAll();
    assert.equal(await value(METRIC_NAMES.up, 'db'), 1);
    assert.equal(await value(METRIC_NAMES.restarts, 'db'), 1);
    assert.equal(await value(METRIC_NAMES.attempts, 'db'), 2);
    await container.stopAll();

    off();
    assert.deepEqual(await registry.getMetricsAsJSON(), []);
  });

  it('refuses a registry that already has the metrics, naming them and the fix', () => {
    const registry = new Registry();
    const off = prometheusMetrics(sample(), { registry });
    assert.throws(
      () => prometheusMetrics(sample(), { registry }),
      (err: unknown) => isBandmasterError(err, 'InvalidArgument') && err.message.includes(METRIC_NAMES.up) && err.message.includes('new Registry()'),
    );
    off();
    prometheusMetrics(sample(), { registry })();
  });
});

describe('otelMetrics', () => {
  it('records the same metrics through an OpenTelemetry meter, read by the SDK in-memory exporter', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const container = sample();
    const off = otelMetrics(container, { meter: provider.getMeter('bandmaster') });
    await container.startAll();
    await reader.forceFlush();
    const metrics = new Map<string, MetricData>();
    for (const rm of exporter.getMetrics()) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) metrics.set(m.descriptor.name, m);
    const point = (name: string, service?: string) =>
      metrics.get(name)?.dataPoints.find((p) => service === undefined || p.attributes['service'] === service)?.value as unknown;
    assert.equal(point('bandmaster.service.up', 'db'), 1);
    assert.equal(point('bandmaster.service.up', 'bad'), 0);
    assert.equal(point('bandmaster.service.start.attempts', 'flaky'), 2);
    const histogram = point('bandmaster.service.start.duration', 'db') as { count: number; sum: number };
    assert.equal(histogram.count, 1);
    assert.ok(histogram.sum >= 0.025 && histogram.sum < 5, `db started in ${histogram.sum}s`);
    assert.equal(metrics.get('bandmaster.service.start.duration')?.descriptor.unit, 's');
    assert.ok((point('bandmaster.boot.duration') as number) >= 0.025);
    await container.stopAll();
    off();
    await provider.shutdown();
  });

  it('does nothing with the API default meter when no SDK is registered', async () => {
    const container = sample();
    const off = otelMetrics(container);
    await container.startAll();
    await container.stopAll();
    off();
    assert.equal(container.status().find((s) => s.name === 'db')?.state, 'stopped');
  });
});
