if (typeof Reflect !== 'object' || typeof (Reflect as { getMetadata?: unknown }).getMetadata !== 'function') {
  throw new Error(
    "bandmaster needs the reflect-metadata polyfill: install it (npm install reflect-metadata) and import it once, before bandmaster, at your program's entry point: import 'reflect-metadata';",
  );
}

export { Container } from './container';
export type { ContainerOptions, RunOptions } from './container';
export type { RestartRunOptions } from './supervision/supervisor';
export type { SupervisionOptions } from './supervision/options';
export type { Clock } from './lifecycle/retry';
export { deadline } from './lifecycle/retry';
export type { Deadline } from './lifecycle/retry';
export { globalContainer, replaceGlobalContainer } from './global';
export { Scope } from './scope/scope';
export { scopeMiddleware, REQUEST, RequestScope } from './frameworks/request-scope';
export type { ScopeMiddleware, ScopeMiddlewareOptions, ScopeRequest, RequestScopeHooks } from './frameworks/request-scope';
export { Service, DependsOn, Inject, InjectAll, Optional } from '../decorators';
export type { OnStart, OnStop, HealthCheck, ServiceOptions, LifecycleOptions, BackoffOptions, RestartOptions, FleetLockOptions, ClassDecorator, ParameterDecorator } from '../decorators';
export { token, optional, all } from './tokens';
export type { Token, InjectionToken, Constructor, AbstractConstructor, Resolved, OptionalToken, AllToken, DependencyEntry, ServiceScope } from './tokens';
export type { Definition, AnyDefinition, ValueDefinition, FactoryDefinition, ClassDefinition, DefinitionBase, DefinitionHooks, FactoryDependency, Override } from './definition';
export { BandmasterError, BootError, ShutdownError, isBandmasterError, dependencyChain, describeCause, describeValue } from './errors';
export type { ErrorKind, BandmasterErrorFields } from './errors';
export { LifecycleEvents } from './events';
export type { LifecycleEvent, LifecycleEventType, LifecycleListener } from './events';
export { createDefaultLogger, setGlobalLogger, getGlobalLogger } from './logger';
export type { Logger, DefaultLoggerOptions } from './logger';
export { fromPino } from './ops/pino';
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
export { parseAddress, parsePort, formatAddress, parseServerUrl, IsAddress, IsServerUrl, ADDRESS_RULE } from './config/address';
export type { Address } from './config/address';
export { healthHandler, probeReadiness } from './ops/health-http';
export type { HealthHandlerOptions, HealthRequestHandler, HealthSource, Readiness } from './ops/health-http';
export { publishLifecycle, LIFECYCLE_CHANNEL } from './ops/channels';
export { dashboardHandler } from './ops/dashboard';
export type { DashboardOptions, DashboardRequest, DashboardRequestHandler, DashboardResponse } from './ops/dashboard';
export type { DashboardSource, DashboardState, DashboardService, DashboardEvent, DashboardTimeline, DashboardHealth, DashboardOnDemand } from './ops/dashboard-state';
export { handleSignals } from './ops/signals';
export type { SignalOptions, Stoppable } from './ops/signals';
export type { Timeline, TimelineEntry, TimelineTextOptions } from './ops/timeline';
export type { TimelineRestart, TimelineRestartService } from './ops/timeline-restarts';
export type { TraceEvent, TraceEventDocument, TraceSummary } from './ops/trace-events';
export { traceLifecycle } from './ops/tracing';
export type { TracingOptions, TracerLike, SpanLike } from './ops/tracing';
export { prometheusMetrics, otelMetrics, METRIC_NAMES } from './ops/metrics';
export type { MetricsSource, RegistryLike, PrometheusMetricsOptions, MeterLike, InstrumentOptions, CounterLike, HistogramLike, ObservationLike, ObservableLike, OtelMetricsOptions } from './ops/metrics';
