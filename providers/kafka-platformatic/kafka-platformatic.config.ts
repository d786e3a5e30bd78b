import { KafkaConfig } from '../kafka';

/**
 * Configuration of the `@platformatic/kafka` provider: the kafkajs provider's variables
 * (`<PREFIX>_BROKERS`, `_CLIENT_ID`, `_GROUP_ID`, `_TOPICS`, `_SSL*`, `_SASL_*`,
 * `_CONNECTION_TIMEOUT`, `_REQUEST_TIMEOUT`, `_IDEMPOTENT`, `_MAX_WAIT_TIME`), which mean the same
 * thing here, so a service moves from kafkajs by changing its import. `_LOG_LEVEL` and
 * `_FROM_BEGINNING` are read and validated but unused: `@platformatic/kafka` reports through
 * `diagnostics_channel`, and where a consumer starts is an option of `consume()`.
 *
 * @throws BandmasterError `InvalidConfig` (from `loadEnv`) naming each bad variable, the password masked.
 * @example
 * ```ts
 * // KFK_EXAMPLE_BROKERS=k1:9092,k2:9092 KFK_EXAMPLE_GROUP_ID=billing
 * const config = loadEnv(PlatformaticKafkaConfig, 'KFK_EXAMPLE');
 * ```
 */
export class PlatformaticKafkaConfig extends KafkaConfig {}
