export { NatsConfig } from './nats.config';
export { nats, installedNatsClient, NATS_CLIENTS } from './nats.provider';
export type { NatsClientPackage, NatsProviderOptions } from './nats.provider';
export type { NatsConnection } from 'nats';
