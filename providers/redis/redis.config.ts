import {
  ArrayUnique,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { AsDuration, AsList, Secret, MaskedConfig, IsServerUrl, IsAddress } from '../../lib';


/** Sentinel and Cluster are two topologies: a config names one at most. */
@ValidatorConstraint({ name: 'exclusiveWith' })
class ExclusiveWith implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const other = (args.object as Record<string, unknown>)[String(args.constraints[0])];
    return !(Array.isArray(value) && value.length > 0 && Array.isArray(other) && other.length > 0);
  }

  defaultMessage(args: ValidationArguments): string {
    return `cannot be combined with ${String(args.constraints[0])}: pick Sentinel or Cluster`;
  }
}

/**
 * Configuration of the Redis provider, read by `loadEnv(RedisConfig, 'RD_EXAMPLE')` from
 * `RD_EXAMPLE_URI`, `RD_EXAMPLE_PASSWORD`... Defaults match a local server (compose.yaml).
 *
 * Topology: a plain server from `uri`; Sentinel when `sentinels` is set (the master named
 * `sentinelName`); Cluster when `clusterNodes` is set. Fields set explicitly win over what `uri`
 * carries (user, password, db, `rediss://` for TLS).
 *
 * @example
 * ```ts
 * // RD_EXAMPLE_URI=redis://cache.internal:6379/2 RD_EXAMPLE_PASSWORD=...
 * const config = loadEnv(RedisConfig, 'RD_EXAMPLE');
 * ```
 */
export class RedisConfig extends MaskedConfig {
  /** `<PREFIX>_URI`: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  @Matches(/^rediss?:\/\/[^\s/]*(\/\d+)?\/?$/, { message: 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0' })
  @IsServerUrl(['redis:', 'rediss:'])
  uri = 'redis://127.0.0.1:6379';

  /** `<PREFIX>_USERNAME`: ACL user (Redis 6+); empty uses the URI's, else `default`. */
  @IsString()
  username = '';

  /** `<PREFIX>_PASSWORD`: empty uses the URI's, else no AUTH. */
  @Secret()
  @IsString()
  password = '';

  /** `<PREFIX>_DB`: database index; unset uses the URI's path, else 0. Ignored by Cluster. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  db?: number;

  /** `<PREFIX>_TLS`: connect with TLS (also implied by `rediss://`). */
  @IsBoolean()
  tls = false;

  /** `<PREFIX>_TLS_REJECT_UNAUTHORIZED`: verify the server certificate. */
  @IsBoolean()
  tlsRejectUnauthorized = true;

  /** `<PREFIX>_TLS_CA`: PEM text of the CA to trust instead of the system's. */
  @IsString()
  tlsCa = '';

  /** `<PREFIX>_CONNECT_TIMEOUT`: bounds each start attempt (connect, handshake, PING), e.g. `5s`. */
  @AsDuration()
  @IsInt()
  @Min(1)
  connectTimeout = 5_000;

  /** `<PREFIX>_COMMAND_TIMEOUT`: a command without reply after this fails; 0 waits. */
  @AsDuration()
  @IsInt()
  @Min(0)
  commandTimeout = 0;

  /** `<PREFIX>_MAX_RETRIES_PER_REQUEST`: after start, reconnections a queued command waits through. */
  @IsInt()
  @Min(0)
  @Max(1_000)
  maxRetriesPerRequest = 20;

  /** `<PREFIX>_CONNECTION_NAME`: `CLIENT SETNAME`, to find the connection in `CLIENT LIST`. */
  @Matches(/^[^\s]*$/, { message: 'must not contain spaces' })
  connectionName = '';

  /** `<PREFIX>_SENTINELS`: `host:port` list of Sentinels; when set, the master comes from them. */
  @AsList()
  @ArrayUnique()
  @IsAddress({ each: true, defaultPort: 26379 })
  @Validate(ExclusiveWith, ['clusterNodes'])
  sentinels: string[] = [];

  /** `<PREFIX>_SENTINEL_NAME`: the master's name in the Sentinels' configuration. */
  @IsString()
  sentinelName = 'mymaster';

  /** `<PREFIX>_SENTINEL_PASSWORD`: password of the Sentinels themselves (not of the master). */
  @Secret()
  @IsString()
  sentinelPassword = '';

  /** `<PREFIX>_CLUSTER_NODES`: `host:port` list of startup nodes; when set, a Redis Cluster. */
  @AsList()
  @ArrayUnique()
  @IsAddress({ each: true, defaultPort: 6379 })
  clusterNodes: string[] = [];

  /** The configuration with secrets masked: safe to log. */
}
