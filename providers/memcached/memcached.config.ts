import { ArrayNotEmpty, ArrayUnique, IsBoolean, IsInt, IsString, Min } from 'class-validator';
import { AsDuration, AsList, Secret, MaskedConfig, IsAddress } from '../../lib';

/**
 * Configuration of the memcached provider, read by `loadEnv(MemcachedConfig, 'MC_EXAMPLE')` from
 * `MC_EXAMPLE_SERVERS`, `MC_EXAMPLE_TIMEOUT`... Defaults match a local server (compose.yaml).
 * Several servers form a pool: keys are spread over them by hash.
 *
 * @example
 * ```ts
 * // MC_EXAMPLE_SERVERS=cache-1:11211,cache-2:11211 MC_EXAMPLE_TIMEOUT=250ms
 * const config = loadEnv(MemcachedConfig, 'MC_EXAMPLE');
 * ```
 */
export class MemcachedConfig extends MaskedConfig {
  /**
   * `<PREFIX>_SERVERS`: `host:port` list (port defaults to 11211). memjs's `user:password@host:port`
   * form is accepted too; `username`/`password` are the better place for credentials.
   */
  @AsList()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsAddress({ each: true, defaultPort: 11211, allowUserinfo: true })
  servers: string[] = ['127.0.0.1:11211'];

  /** `<PREFIX>_USERNAME`: SASL PLAIN user (with `password`); empty disables authentication. */
  @IsString()
  username = '';

  /** `<PREFIX>_PASSWORD`: SASL PLAIN password. */
  @Secret()
  @IsString()
  password = '';

  /** `<PREFIX>_TIMEOUT`: a request without a reply after this fails (memjs `timeout`), e.g. `500ms`. */
  @AsDuration()
  @IsInt()
  @Min(1)
  timeout = 500;

  /** `<PREFIX>_CONN_TIMEOUT`: a server not connected after this fails (memjs `conntimeout`). */
  @AsDuration()
  @IsInt()
  @Min(1)
  connTimeout = 1_000;

  /** `<PREFIX>_FAILOVER`: after start, send a key to the next server while its own is down. */
  @IsBoolean()
  failover = false;

  /** `<PREFIX>_FAILOVER_TIME`: how long a failed server is skipped when `failover` is on. */
  @AsDuration()
  @IsInt()
  @Min(0)
  failoverTime = 60_000;

  /** `<PREFIX>_EXPIRES`: default expiration of stored items; 0 never expires. */
  @AsDuration()
  @IsInt()
  @Min(0)
  expires = 0;

  /** `<PREFIX>_KEEP_ALIVE`: TCP keep-alive on the connections. */
  @IsBoolean()
  keepAlive = false;

  /** The configuration with secrets masked: safe to log. */
}
