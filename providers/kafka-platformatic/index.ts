export { PlatformaticKafkaConfig } from './kafka-platformatic.config';
export { platformaticKafka, platformaticKafkaOptions } from './kafka-platformatic.provider';
export type { PlatformaticKafkaClients } from './kafka-platformatic.provider';
