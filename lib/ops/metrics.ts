import { BandmasterError, describeCause } from '../errors';
import type { LifecycleEvent, LifecycleEvents } from '../events';
import type { ServiceReport } from './report';
import type { Timeline } from './timeline';
import { packageVersion } from './version';

/** What the metrics need from a container: its events, and its state when they are read. */
export interface MetricsSource {
  /** Lifecycle events: attempts, starts and restarts are counted from them. */
  readonly events: LifecycleEvents;
  /** Every service's state, read at each scrape (`bandmaster_service_up`). */
  status(): ServiceReport[];
  /** The last boot, read at each scrape (`bandmaster_boot_duration_seconds`). */
  timeline(): Timeline;
}

/** The part of a prom-client `Registry` used; pass `new Registry()` or prom-client's `register`. */
export interface RegistryLike {
  /** Adds a metric (prom-client calls it when a metric is created with `registers`). */
  registerMetric(metric: unknown): void;
  /** Removes a metric by name. */
  removeSingleMetric(name: string): void;
  /** A registered metric, by name. */
  getSingleMetric(name: string): unknown;
}

/** Options of {@link prometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Where the metrics are registered; default prom-client's global `register`. */
  readonly registry?: RegistryLike;
  /** Histogram buckets of the start duration, in seconds; default 5 ms to 60 s. */
  readonly buckets?: readonly number[];
}

/** Buckets of the start duration: a cache connects in ms, a database behind a retry in tens of seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The metric names, fixed by DESIGN.md. */
export const METRIC_NAMES = {
  /** Gauge, label `service`: 1 while started, else 0. */
  up: 'bandmaster_service_up',
  /** Histogram, label `service`: one sample per successful start, retries included. */
  startDuration: 'bandmaster_service_start_duration_seconds',
  /** Counter, label `service`: start attempts. */
  attempts: 'bandmaster_service_start_attempts_total',
  /** Counter, label `service`: starts after the first. */
  restarts: 'bandmaster_service_restarts_total',
  /** Gauge: the last boot's length. */
  boot: 'bandmaster_boot_duration_seconds',
} as const;

/** What a metrics backend records; {@link countEvents} drives it from lifecycle events. */
interface Recorder {
  attempt(service: string): void;
  started(service: string, seconds: number): void;
  restarted(service: string): void;
}

/**
 * Subscribes a recorder: every `starting` is an attempt, every `started` a start (its duration from
 * the first attempt, retries included), and a `started` of a service that had started before is a
 * restart.
 */
function countEvents(events: LifecycleEvents, recorder: Recorder): () => void {
  const everStarted = new Set<string>();
  return events.on((e: LifecycleEvent) => {
    if (e.type === 'starting') recorder.attempt(e.service);
    else if (e.type === 'started') {
      recorder.started(e.service, e.durationMs / 1000);
      if (everStarted.has(e.service)) recorder.restarted(e.service);
      else everStarted.add(e.service);
    }
  });
}

type PromClient = typeof import('prom-client');

function loadPromClient(): PromClient {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as PromClient;
  } catch (err) {
    throw new BandmasterError('InvalidArgument', {
      service: 'prometheusMetrics',
      detail: `prom-client is not installed (npm install prom-client): ${describeCause(err)}`,
    });
  }
}

/**
 * Registers the container's Prometheus metrics on a prom-client registry:
 * `bandmaster_service_up{service}` (1 started, else 0; read at each scrape),
 * `bandmaster_service_start_duration_seconds{service}` (histogram, one sample per successful
 * start, retries included), `bandmaster_service_start_attempts_total{service}`,
 * `bandmaster_service_restarts_total{service}` and `bandmaster_boot_duration_seconds` (the last
 * boot). Counting costs a few map look-ups per lifecycle event; nothing runs between events.
 *
 * @returns a function that unsubscribes and removes the metrics from the registry.
 * @throws BandmasterError `InvalidArgument` when prom-client is not installed, or the registry
 * already holds bandmaster's metrics (one container per registry; give each its own `Registry`).
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * prometheusMetrics(container, { registry });
 * // GET /metrics: res.end(await registry.metrics())
 * ```
 */
export function prometheusMetrics(container: MetricsSource, options: PrometheusMetricsOptions = {}): () => void {
  const prom = loadPromClient();
  const registry = (options.registry ?? prom.register);
  const taken = Object.values(METRIC_NAMES).filter((name) => registry.getSingleMetric(name) !== undefined);
  if (taken.length > 0) {
    throw new BandmasterError('InvalidArgument', {
      service: 'prometheusMetrics',
      detail: `the registry already has ${taken.join(', ')}: call prometheusMetrics once per registry, or give each container its own new Registry()`,
    });
  }
  const registers = [registry as unknown as import('prom-client').Registry];
  new prom.Gauge({
    name: METRIC_NAMES.up,
    help: 'Whether the service is started (1) or not (0).',
    labelNames: ['service'],
    registers,
    collect() {
      for (const s of container.status()) this.set({ service: s.name }, s.state === 'started' ? 1 : 0);
    },
  });
  const duration = new prom.Histogram({
    name: METRIC_NAMES.startDuration,
    help: 'Time from the first start attempt to started, retries and backoff included, in seconds.',
    labelNames: ['service'],
    buckets: [...(options.buckets ?? BUCKETS)],
    registers,
  });
  const attempts = new prom.Counter({ name: METRIC_NAMES.attempts, help: 'Start attempts, retries included.', labelNames: ['service'], registers });
  const restarts = new prom.Counter({ name: METRIC_NAMES.restarts, help: 'Starts of a service that had started before.', labelNames: ['service'], registers });
  new prom.Gauge({
    name: METRIC_NAMES.boot,
    help: 'Length of the last boot, from the first service queued to the last one settled, in seconds.',
    registers,
    collect() {
      this.set(container.timeline().totalMs / 1000);
    },
  });
  const off = countEvents(container.events, {
    attempt: (service) => attempts.inc({ service }),
    started: (service, seconds) => duration.observe({ service }, seconds),
    restarted: (service) => restarts.inc({ service }),
  });
  return () => {
    off();
    for (const name of Object.values(METRIC_NAMES)) registry.removeSingleMetric(name);
  };
}

/** The part of an OpenTelemetry `Meter` used; `metrics.getMeter(...)` from `@opentelemetry/api` fits. */
export interface MeterLike {
  /** Creates a counter (attempts, restarts). */
  createCounter(name: string, options?: InstrumentOptions): CounterLike;
  /** Creates a histogram (start durations). */
  createHistogram(name: string, options?: InstrumentOptions & { advice?: { explicitBucketBoundaries?: number[] } }): HistogramLike;
  /** Creates a gauge read at collection time (up, boot duration). */
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableLike;
}

/** What an instrument is created with. */
export interface InstrumentOptions {
  /** What it measures. */
  readonly description?: string;
  /** Its unit (UCUM: `s`). */
  readonly unit?: string;
}

/** An OpenTelemetry counter. */
export interface CounterLike {
  /** Adds to the counter of these attributes. */
  add(value: number, attributes?: Record<string, string>): void;
}

/** An OpenTelemetry histogram. */
export interface HistogramLike {
  /** Records one sample. */
  record(value: number, attributes?: Record<string, string>): void;
}

/** What an observable instrument's callback receives. */
export interface ObservationLike {
  /** Reports the value of these attributes. */
  observe(value: number, attributes?: Record<string, string>): void;
}

/** An OpenTelemetry observable instrument. */
export interface ObservableLike {
  /** Adds a callback run at each collection. */
  addCallback(callback: (result: ObservationLike) => void): void;
  /** Removes a callback. */
  removeCallback(callback: (result: ObservationLike) => void): void;
}

/** Options of {@link otelMetrics}. */
export interface OtelMetricsOptions {
  /** The meter; default `metrics.getMeter('bandmaster', version)` from `@opentelemetry/api`. */
  readonly meter?: MeterLike;
}

/**
 * Records the container's metrics through OpenTelemetry's metrics API, with the Prometheus
 * names' OpenTelemetry spelling (an OTel Prometheus exporter turns them back into
 * {@link prometheusMetrics}' names): `bandmaster.service.up` (gauge), `bandmaster.service.start.duration`
 * (histogram, s), `bandmaster.service.start.attempts`, `bandmaster.service.restarts` (counters)
 * and `bandmaster.boot.duration` (gauge, s); attribute `service`. Does nothing without
 * `@opentelemetry/api` and a meter (the API's default meter records nothing until an SDK is set).
 *
 * @returns a function that unsubscribes and removes the gauges' callbacks.
 * @throws never.
 * @example
 * ```ts
 * otelMetrics(container); // with the OpenTelemetry SDK's MeterProvider registered
 * ```
 */
export function otelMetrics(container: MetricsSource, options: OtelMetricsOptions = {}): () => void {
  const meter = options.meter ?? loadMeter();
  if (!meter) return () => undefined;
  const attempts = meter.createCounter('bandmaster.service.start.attempts', { description: 'Start attempts, retries included.' });
  const restarts = meter.createCounter('bandmaster.service.restarts', { description: 'Starts of a service that had started before.' });
  const duration = meter.createHistogram('bandmaster.service.start.duration', {
    description: 'Time from the first start attempt to started, retries and backoff included.',
    unit: 's',
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  const up = meter.createObservableGauge('bandmaster.service.up', { description: 'Whether the service is started (1) or not (0).' });
  const boot = meter.createObservableGauge('bandmaster.boot.duration', { description: 'Length of the last boot.', unit: 's' });
  const observeUp = (result: ObservationLike): void => {
    for (const s of container.status()) result.observe(s.state === 'started' ? 1 : 0, { service: s.name });
  };
  const observeBoot = (result: ObservationLike): void => result.observe(container.timeline().totalMs / 1000);
  up.addCallback(observeUp);
  boot.addCallback(observeBoot);
  const off = countEvents(container.events, {
    attempt: (service) => attempts.add(1, { service }),
    started: (service, seconds) => duration.record(seconds, { service }),
    restarted: (service) => restarts.add(1, { service }),
  });
  return () => {
    off();
    up.removeCallback(observeUp);
    boot.removeCallback(observeBoot);
  };
}

function loadMeter(): MeterLike | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require('@opentelemetry/api') as { metrics: { getMeter(name: string, version?: string): MeterLike } };
    return api.metrics.getMeter('bandmaster', packageVersion());
  } catch {
    return undefined;
  }
}
