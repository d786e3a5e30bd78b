if (typeof Reflect !== 'object' || typeof (Reflect as { getMetadata?: unknown }).getMetadata !== 'function') {
  throw new Error(
    "bandmaster needs the reflect-metadata polyfill: install it (npm install reflect-metadata) and import it once, before bandmaster, at your program's entry point: import 'reflect-metadata';",
  );
}

import type * as PinoModule from './ops/pino';
import type * as RequestScopeModule from './frameworks/request-scope';
import type * as AddressModule from './config/address';
import type * as HealthHttpModule from './ops/health-http';
import type * as ChannelsModule from './ops/channels';
import type * as DashboardModule from './ops/dashboard';
import type * as TracingModule from './ops/tracing';
import type * as MetricsModule from './ops/metrics';
export { Container } from './container';
export type { ContainerOptions, RunOptions } from './container';
export type { RestartRunOptions } from './supervision/supervisor';
export type { SupervisionOptions } from './supervision/options';
export type { Clock } from './lifecycle/retry';
export { globalContainer, replaceGlobalContainer } from './global';
export { Scope } from './scope/scope';
export type { ScopeMiddleware, ScopeMiddlewareOptions, ScopeRequest } from './frameworks/request-scope';
export { Service, DependsOn, Inject, InjectAll, Optional } from '../decorators';
export type { OnStart, OnStop, HealthCheck, ServiceOptions, LifecycleOptions, BackoffOptions, RestartOptions, ClassDecorator, ParameterDecorator } from '../decorators';
export { token, optional, all } from './tokens';
export type { Token, InjectionToken, Constructor, AbstractConstructor, Resolved, OptionalToken, AllToken, DependencyEntry, ServiceScope } from './tokens';
export type { Definition, AnyDefinition, ValueDefinition, FactoryDefinition, ClassDefinition, DefinitionBase, DefinitionHooks, FactoryDependency, Override } from './definition';
export { BandmasterError, BootError, ShutdownError, isBandmasterError, dependencyChain } from './errors';
export type { ErrorKind, BandmasterErrorFields } from './errors';
export { LifecycleEvents } from './events';
export type { LifecycleEvent, LifecycleEventType, LifecycleListener } from './events';
export { createDefaultLogger, setGlobalLogger, getGlobalLogger } from './logger';
export type { Logger, DefaultLoggerOptions } from './logger';
export type { PinoLike, PinoAdapter } from './ops/pino';
export { LifecycleReport } from './ops/report';
export type { ServiceReport, OnDemandService } from './ops/report';
export type { ServiceState } from './lifecycle/node';
export type { GraphView, GraphNode, GraphEdge } from './graph/view';
export type { HealthReport, ServiceHealth, HealthOptions } from './ops/health';
export { loadEnv, maskSecrets, parseDuration, configField, Secret, AsDuration, AsList, AsNumber, AsBoolean } from './env';
export { defineProvider, resolveConfig, loadPeer, abortable, isNetworkError, networkError, unreachable, connectTimedOut } from './provider';
export type { ProviderOptions, ProviderSpec, ProviderContext } from './provider';
export { maskValue } from './config/mask';
export type { ConfigFieldDecorator } from './env';
export { MaskedConfig } from './config/masked-config';
export type { Address } from './config/address';
export type { HealthHandlerOptions, HealthRequestHandler, HealthSource, Readiness } from './ops/health-http';
export type { DashboardOptions, DashboardRequest, DashboardRequestHandler, DashboardResponse } from './ops/dashboard';
export type { DashboardSource, DashboardState, DashboardService, DashboardEvent, DashboardTimeline, DashboardHealth, DashboardOnDemand } from './ops/dashboard-state';
export { handleSignals } from './ops/signals';
export type { SignalOptions, Stoppable } from './ops/signals';
export type { Timeline, TimelineEntry, TimelineTextOptions } from './ops/timeline';
export type { TraceEvent, TraceEventDocument, TraceSummary } from './ops/trace-events';
export type { TracingOptions, TracerLike, SpanLike } from './ops/tracing';
export type { MetricsSource, RegistryLike, PrometheusMetricsOptions, MeterLike, InstrumentOptions, CounterLike, HistogramLike, ObservationLike, ObservableLike, OtelMetricsOptions } from './ops/metrics';

/** Wraps a pino logger as a bandmaster {@link Logger}, with pino's `(fields, message)` order and level (see `lib/ops/pino.ts`). */
export declare const fromPino: typeof PinoModule.fromPino;
/** Gives every request `req.scope`, a scope of the container opened on first use and disposed once the response is over. */
export declare const scopeMiddleware: typeof RequestScopeModule.scopeMiddleware;
/** The Node.js request of the scope it is provided in (every request scope provides it; see {@link ScopeRequest}). */
export declare const REQUEST: typeof RequestScopeModule.REQUEST;
/** Parses `host:port`, `[v6]:port`, or a bare host when `defaultPort` is given; `undefined` when it is none of those. */
export declare const parseAddress: typeof AddressModule.parseAddress;
/** A decimal port from 1 to 65535, or `undefined`. */
export declare const parsePort: typeof AddressModule.parsePort;
/** `host:port`, bracketing an IPv6 host: for messages. */
export declare const formatAddress: typeof AddressModule.formatAddress;
/** Parses a server URL such as `redis://user:pass@host:6379/0` with one of the given schemes. */
export declare const parseServerUrl: typeof AddressModule.parseServerUrl;
/** class-validator decorator: the value (or each, with `{ each: true }`) parses as an {@link Address}. */
export declare const IsAddress: typeof AddressModule.IsAddress;
/** class-validator decorator: the value parses as a server URL with one of the given schemes. */
export declare const IsServerUrl: typeof AddressModule.IsServerUrl;
/** The rule every address variable follows, for messages. */
export declare const ADDRESS_RULE: typeof AddressModule.ADDRESS_RULE;
/** A request handler serving Kubernetes probes (`GET /livez`, `GET /readyz`), usable as a middleware. */
export declare const healthHandler: typeof HealthHttpModule.healthHandler;
/** Whether a container is ready: every required service started and healthy, and no shutdown begun ({@link Readiness}). */
export declare const probeReadiness: typeof HealthHttpModule.probeReadiness;
/** Publishes a container's lifecycle events on the `diagnostics_channel` {@link LIFECYCLE_CHANNEL}; returns the unsubscriber. */
export declare const publishLifecycle: typeof ChannelsModule.publishLifecycle;
/** The `diagnostics_channel` name that carries every lifecycle event: `bandmaster:lifecycle`. */
export declare const LIFECYCLE_CHANNEL: typeof ChannelsModule.LIFECYCLE_CHANNEL;
/** A request handler serving a read-only live dashboard of the container (graph, states, timeline, health). */
export declare const dashboardHandler: typeof DashboardModule.dashboardHandler;
/** Records one OpenTelemetry span per start attempt and per stop attempt of every service; returns the unsubscriber. */
export declare const traceLifecycle: typeof TracingModule.traceLifecycle;
/** Registers the container's Prometheus metrics on a prom-client registry; returns what removes them. */
export declare const prometheusMetrics: typeof MetricsModule.prometheusMetrics;
/** Records the container's metrics through OpenTelemetry's metrics API; returns what stops them. */
export declare const otelMetrics: typeof MetricsModule.otelMetrics;
/** The metric names, fixed by DESIGN.md ({@link prometheusMetrics}, {@link otelMetrics}). */
export declare const METRIC_NAMES: typeof MetricsModule.METRIC_NAMES;

// Exports whose modules load when first read, not when `bandmaster` is required: what registers
// and boots services needs none of them, and each module a process loads costs its start-up
// (require(bandmaster) ~3 ms less CPU here, of ~33, without these nine). Each is an accessor in the
// form Node's CommonJS export scanner detects, so `import { healthHandler } from 'bandmaster'`
// works from ESM too; its type is the module's own.
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  get fromPino(): typeof PinoModule.fromPino {
    return (require('./ops/pino') as typeof PinoModule).fromPino;
  },
  get scopeMiddleware(): typeof RequestScopeModule.scopeMiddleware {
    return (require('./frameworks/request-scope') as typeof RequestScopeModule).scopeMiddleware;
  },
  get REQUEST(): typeof RequestScopeModule.REQUEST {
    return (require('./frameworks/request-scope') as typeof RequestScopeModule).REQUEST;
  },
  get parseAddress(): typeof AddressModule.parseAddress {
    return (require('./config/address') as typeof AddressModule).parseAddress;
  },
  get parsePort(): typeof AddressModule.parsePort {
    return (require('./config/address') as typeof AddressModule).parsePort;
  },
  get formatAddress(): typeof AddressModule.formatAddress {
    return (require('./config/address') as typeof AddressModule).formatAddress;
  },
  get parseServerUrl(): typeof AddressModule.parseServerUrl {
    return (require('./config/address') as typeof AddressModule).parseServerUrl;
  },
  get IsAddress(): typeof AddressModule.IsAddress {
    return (require('./config/address') as typeof AddressModule).IsAddress;
  },
  get IsServerUrl(): typeof AddressModule.IsServerUrl {
    return (require('./config/address') as typeof AddressModule).IsServerUrl;
  },
  get ADDRESS_RULE(): typeof AddressModule.ADDRESS_RULE {
    return (require('./config/address') as typeof AddressModule).ADDRESS_RULE;
  },
  get healthHandler(): typeof HealthHttpModule.healthHandler {
    return (require('./ops/health-http') as typeof HealthHttpModule).healthHandler;
  },
  get probeReadiness(): typeof HealthHttpModule.probeReadiness {
    return (require('./ops/health-http') as typeof HealthHttpModule).probeReadiness;
  },
  get publishLifecycle(): typeof ChannelsModule.publishLifecycle {
    return (require('./ops/channels') as typeof ChannelsModule).publishLifecycle;
  },
  get LIFECYCLE_CHANNEL(): typeof ChannelsModule.LIFECYCLE_CHANNEL {
    return (require('./ops/channels') as typeof ChannelsModule).LIFECYCLE_CHANNEL;
  },
  get dashboardHandler(): typeof DashboardModule.dashboardHandler {
    return (require('./ops/dashboard') as typeof DashboardModule).dashboardHandler;
  },
  get traceLifecycle(): typeof TracingModule.traceLifecycle {
    return (require('./ops/tracing') as typeof TracingModule).traceLifecycle;
  },
  get prometheusMetrics(): typeof MetricsModule.prometheusMetrics {
    return (require('./ops/metrics') as typeof MetricsModule).prometheusMetrics;
  },
  get otelMetrics(): typeof MetricsModule.otelMetrics {
    return (require('./ops/metrics') as typeof MetricsModule).otelMetrics;
  },
  get METRIC_NAMES(): typeof MetricsModule.METRIC_NAMES {
    return (require('./ops/metrics') as typeof MetricsModule).METRIC_NAMES;
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */
Object.defineProperty(exports, 'fromPino', { enumerable: true, get: function () { return lazy.fromPino; } });
Object.defineProperty(exports, 'scopeMiddleware', { enumerable: true, get: function () { return lazy.scopeMiddleware; } });
Object.defineProperty(exports, 'REQUEST', { enumerable: true, get: function () { return lazy.REQUEST; } });
Object.defineProperty(exports, 'parseAddress', { enumerable: true, get: function () { return lazy.parseAddress; } });
Object.defineProperty(exports, 'parsePort', { enumerable: true, get: function () { return lazy.parsePort; } });
Object.defineProperty(exports, 'formatAddress', { enumerable: true, get: function () { return lazy.formatAddress; } });
Object.defineProperty(exports, 'parseServerUrl', { enumerable: true, get: function () { return lazy.parseServerUrl; } });
Object.defineProperty(exports, 'IsAddress', { enumerable: true, get: function () { return lazy.IsAddress; } });
Object.defineProperty(exports, 'IsServerUrl', { enumerable: true, get: function () { return lazy.IsServerUrl; } });
Object.defineProperty(exports, 'ADDRESS_RULE', { enumerable: true, get: function () { return lazy.ADDRESS_RULE; } });
Object.defineProperty(exports, 'healthHandler', { enumerable: true, get: function () { return lazy.healthHandler; } });
Object.defineProperty(exports, 'probeReadiness', { enumerable: true, get: function () { return lazy.probeReadiness; } });
Object.defineProperty(exports, 'publishLifecycle', { enumerable: true, get: function () { return lazy.publishLifecycle; } });
Object.defineProperty(exports, 'LIFECYCLE_CHANNEL', { enumerable: true, get: function () { return lazy.LIFECYCLE_CHANNEL; } });
Object.defineProperty(exports, 'dashboardHandler', { enumerable: true, get: function () { return lazy.dashboardHandler; } });
Object.defineProperty(exports, 'traceLifecycle', { enumerable: true, get: function () { return lazy.traceLifecycle; } });
Object.defineProperty(exports, 'prometheusMetrics', { enumerable: true, get: function () { return lazy.prometheusMetrics; } });
Object.defineProperty(exports, 'otelMetrics', { enumerable: true, get: function () { return lazy.otelMetrics; } });
Object.defineProperty(exports, 'METRIC_NAMES', { enumerable: true, get: function () { return lazy.METRIC_NAMES; } });
