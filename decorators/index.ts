export { Service } from './service.decorator';
export type { ClassDecorator } from './service.decorator';
export { DependsOn } from './depends-on.decorator';
export { Inject, InjectAll, Optional } from './inject.decorator';
export type { ParameterDecorator } from './inject.decorator';
export type { OnStart, OnStop, HealthCheck } from './hooks';
export type { ServiceOptions, LifecycleOptions, BackoffOptions, RestartOptions, FleetLockOptions } from './metadata';
