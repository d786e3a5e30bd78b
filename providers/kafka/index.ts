export { KafkaConfig, KAFKA_LOG_LEVELS, KAFKA_SASL_MECHANISMS } from './kafka.config';
export type { KafkaLogLevel, KafkaSaslMechanism } from './kafka.config';
export { kafka, kafkaClientConfig } from './kafka.provider';
export type { KafkaClients } from './kafka.provider';
export type { Kafka, Producer, Admin, Consumer } from 'kafkajs';
