import { ArrayNotEmpty, ArrayUnique, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Min, ValidateBy, ValidateIf } from 'class-validator';
import { AsDuration, AsList, Secret, MaskedConfig, IsAddress } from '../../lib';

/** SASL mechanisms the provider configures, as kafkajs spells them: `KFK_EXAMPLE_SASL_MECHANISM=scram-sha-512`. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
/** How much of kafkajs's own logging reaches the bandmaster logger: `KFK_EXAMPLE_LOG_LEVEL=error`. */
export const KAFKA_LOG_LEVELS = ['nothing', 'error', 'warn', 'info', 'debug'] as const;

/** A SASL mechanism the provider configures. */
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];
/** A kafkajs log level, by name. */
export type KafkaLogLevel = (typeof KAFKA_LOG_LEVELS)[number];

/**
 * Configuration of the Kafka provider, read by `loadEnv(KafkaConfig, 'KFK_EXAMPLE')` from
 * `KFK_EXAMPLE_BROKERS`, `KFK_EXAMPLE_GROUP_ID`... Defaults match a local broker (compose.yaml).
 *
 * A consumer is created only when `groupId` is set; it subscribes to `topics` at start when they
 * are set too. SASL needs `saslMechanism`, `saslUsername` and `saslPassword` together.
 *
 * @throws BandmasterError `InvalidConfig` (from `loadEnv`) naming each bad variable, the password masked.
 * @example
 * ```ts
 * // KFK_EXAMPLE_BROKERS=k1:9092,k2:9092 KFK_EXAMPLE_GROUP_ID=billing KFK_EXAMPLE_TOPICS=orders
 * const config = loadEnv(KafkaConfig, 'KFK_EXAMPLE');
 * ```
 */
export class KafkaConfig extends MaskedConfig {
  /** `<PREFIX>_BROKERS`: seed brokers, `host:port` comma list; the rest of the cluster comes from Metadata. */
  @AsList()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsAddress({ each: true })
  // kafkajs splits a broker on `:`: no IPv6 literals
  @Matches(/^[^[\]]*$/, { each: true, message: 'must not be an IPv6 literal (kafkajs cannot connect to one): use a host name' })
  brokers: string[] = ['127.0.0.1:9092'];

  /** `<PREFIX>_CLIENT_ID`: the client id brokers see in their logs and quotas; defaults to the service name. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  clientId?: string;

  /** `<PREFIX>_GROUP_ID`: when set, a consumer of this group is created and connected at start. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  groupId?: string;

  /** `<PREFIX>_TOPICS`: topics the consumer subscribes to at start (needs `groupId`). */
  @AsList()
  @ArrayUnique()
  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { each: true, message: 'must be a list of topic names (letters, digits, ".", "_", "-")' })
  @ValidateBy({
    name: 'topicsNeedGroup',
    validator: {
      validate: (topics: unknown, args) => !Array.isArray(topics) || topics.length === 0 || (args?.object as KafkaConfig).groupId !== undefined,
      defaultMessage: () => 'needs a group id: the consumer that subscribes to them exists only with one',
    },
  })
  topics: string[] = [];

  /** `<PREFIX>_FROM_BEGINNING`: a group without committed offsets starts at the earliest message. */
  @IsBoolean()
  fromBeginning = false;

  /** `<PREFIX>_SSL`: connect with TLS. */
  @IsBoolean()
  ssl = false;

  /** `<PREFIX>_SSL_REJECT_UNAUTHORIZED`: verify the brokers' certificates (with `ssl`). */
  @IsBoolean()
  sslRejectUnauthorized = true;

  /** `<PREFIX>_SSL_CA`: PEM text of the CA to trust instead of the system's (with `ssl`). */
  @IsString()
  sslCa = '';

  /** `<PREFIX>_SASL_MECHANISM`: `plain`, `scram-sha-256` or `scram-sha-512`; unset for no SASL. */
  @IsOptional()
  @IsIn(KAFKA_SASL_MECHANISMS, { message: `must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` })
  saslMechanism?: KafkaSaslMechanism;

  /** `<PREFIX>_SASL_USERNAME`: required with `saslMechanism`. */
  @ValidateIf((config: KafkaConfig) => config.saslMechanism !== undefined || config.saslUsername !== '')
  @IsString()
  @IsNotEmpty({ message: 'must be set when a SASL mechanism is' })
  saslUsername = '';

  /** `<PREFIX>_SASL_PASSWORD`: required with `saslMechanism`; masked everywhere. */
  @Secret()
  @ValidateIf((config: KafkaConfig) => config.saslMechanism !== undefined || config.saslPassword !== '')
  @IsString()
  @IsNotEmpty({ message: 'must be set when a SASL mechanism is' })
  saslPassword = '';

  /** `<PREFIX>_CONNECT_TIMEOUT`: connect deadline of each start attempt (connect and first request), e.g. `5s`; the message names host:port. */
  @AsDuration()
  @IsInt()
  @Min(1)
  connectTimeout = 5_000;

  /** `<PREFIX>_CONNECTION_TIMEOUT`: time limit of one TCP (and TLS) connect, e.g. `1s`. */
  @AsDuration()
  @IsInt()
  @Min(1)
  connectionTimeout = 1_000;

  /** `<PREFIX>_REQUEST_TIMEOUT`: a request without answer after this fails, e.g. `30s`. */
  @AsDuration()
  @IsInt()
  @Min(1)
  requestTimeout = 30_000;

  /** `<PREFIX>_IDEMPOTENT`: the producer is idempotent (exactly-once per partition; needs the controller). */
  @IsBoolean()
  idempotent = false;

  /** `<PREFIX>_MAX_WAIT_TIME`: longest a consumer fetch waits for data; stop can wait this long too. */
  @AsDuration()
  @IsInt()
  @Min(0)
  maxWaitTime = 5_000;

  /** `<PREFIX>_LOG_LEVEL`: how much of kafkajs's own logging reaches the bandmaster logger. */
  @IsIn(KAFKA_LOG_LEVELS, { message: `must be one of ${KAFKA_LOG_LEVELS.join(', ')}` })
  logLevel: KafkaLogLevel = 'warn';

  /** The configuration with the SASL password masked: safe to log. */
}
