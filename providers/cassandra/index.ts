export { CassandraConfig } from './cassandra.config';
export { cassandra, CASSANDRA_HEALTH_QUERY } from './cassandra.provider';
export type { Client as CassandraClient } from 'cassandra-driver';
