import { ValidateBy } from 'class-validator';
import { RedisConfig } from '../redis';

const ONE_SERVER = {
  name: 'nodeRedisOneServer',
  validator: {
    validate: (value: unknown) => !Array.isArray(value) || value.length === 0,
    defaultMessage: () => 'is not supported by the node-redis provider yet: use the ioredis provider (bandmaster/providers/redis) for Sentinel and Cluster',
  },
};

/**
 * Configuration of the node-redis provider: the ioredis provider's variables (`<PREFIX>_URI`,
 * `_USERNAME`, `_PASSWORD`, `_DB`, `_TLS`, `_TLS_REJECT_UNAUTHORIZED`, `_TLS_CA`,
 * `_CONNECT_TIMEOUT`, `_COMMAND_TIMEOUT`, `_CONNECTION_NAME`), which mean the same thing here.
 * One server only: `_SENTINELS` and `_CLUSTER_NODES` are an `InvalidConfig`;
 * `_MAX_RETRIES_PER_REQUEST` is unused (node-redis queues commands while it reconnects).
 *
 * @throws BandmasterError `InvalidConfig` (from `loadEnv`) naming each bad variable, secrets masked.
 * @example
 * ```ts
 * // RD_EXAMPLE_URI=redis://cache.internal:6379/2 RD_EXAMPLE_PASSWORD=...
 * const config = loadEnv(NodeRedisConfig, 'RD_EXAMPLE');
 * ```
 */
export class NodeRedisConfig extends RedisConfig {
  /** `<PREFIX>_SENTINELS`: not supported by this provider; must stay empty. */
  @ValidateBy(ONE_SERVER)
  override sentinels: string[] = [];

  /** `<PREFIX>_CLUSTER_NODES`: not supported by this provider; must stay empty. */
  @ValidateBy(ONE_SERVER)
  override clusterNodes: string[] = [];
}
