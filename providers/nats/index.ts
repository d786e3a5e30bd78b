export { NatsConfig } from './nats.config';
export { nats } from './nats.provider';
export type { NatsConnection } from 'nats';
