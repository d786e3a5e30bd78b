if (typeof Reflect !== 'object' || typeof (Reflect as { getMetadata?: unknown }).getMetadata !== 'function') {
  throw new Error(
    "bandmaster needs the reflect-metadata polyfill: install it (npm install reflect-metadata) and import it once, before bandmaster, at your program's entry point: import 'reflect-metadata';",
  );
}

export { Container } from './container';
export type { ContainerOptions, RunOptions } from './container';
export type { Clock } from './retry';
export { globalContainer, replaceGlobalContainer } from './global';
export { Service, DependsOn, Inject, Optional } from '../decorators';
export type { OnStart, OnStop, HealthCheck, ServiceOptions, LifecycleOptions, BackoffOptions, ClassDecorator, ParameterDecorator } from '../decorators';
export { token } from './tokens';
export type { Token, InjectionToken, Constructor, Resolved } from './tokens';
export type { Definition, AnyDefinition, ValueDefinition, FactoryDefinition, ClassDefinition, DefinitionBase, DefinitionHooks, FactoryDependency, Override } from './definition';
export { BandmasterError, BootError, ShutdownError, isBandmasterError } from './errors';
export type { ErrorKind, BandmasterErrorFields } from './errors';
export { LifecycleEvents } from './events';
export type { LifecycleEvent, LifecycleEventType, LifecycleListener } from './events';
export { createDefaultLogger, setGlobalLogger, getGlobalLogger } from './logger';
export type { Logger } from './logger';
export { LifecycleReport } from './report';
export type { ServiceReport } from './report';
export type { ServiceState } from './node';
export type { GraphView, GraphNode, GraphEdge } from './graph-view';
export type { HealthReport, ServiceHealth, HealthOptions } from './health';
export { loadEnv, maskSecrets, parseDuration, configField, Secret, AsDuration, AsList, AsNumber, AsBoolean } from './env';
export { defineProvider, resolveConfig, loadPeer, abortable, isNetworkError, networkError, unreachable, connectTimedOut } from './provider';
export type { ProviderOptions, ProviderSpec, ProviderContext } from './provider';
export { maskValue } from './config/mask';
export type { ConfigFieldDecorator } from './env';
export { MaskedConfig } from './config/masked-config';
export { parseAddress, parsePort, formatAddress, parseServerUrl, IsAddress, IsServerUrl, ADDRESS_RULE } from './config/address';
export type { Address } from './config/address';
export { healthHandler, probeReadiness } from './health-http';
export type { HealthHandlerOptions, HealthRequestHandler, HealthSource, Readiness } from './health-http';
export { handleSignals } from './signals';
export type { SignalOptions, Stoppable } from './signals';
export type { Timeline, TimelineEntry, TimelineTextOptions } from './timeline';
export { traceLifecycle } from './tracing';
export type { TracingOptions, TracerLike, SpanLike } from './tracing';
