import { ArrayNotEmpty, IsBoolean, IsEmpty, IsInt, IsNotEmpty, IsString, IsUrl, Matches, Min, ValidateIf } from 'class-validator';
import { AsDuration, AsList, maskValue, Secret, MaskedConfig } from '../../lib';

const NODE_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'], allow_underscores: true };

/**
 * Configuration of the Elasticsearch provider. With `elasticsearch({ env: 'ES_EXAMPLE' })` every
 * field is read from `ES_EXAMPLE_<FIELD>`: `ES_EXAMPLE_NODES=https://es-1:9200,https://es-2:9200`,
 * `ES_EXAMPLE_REQUEST_TIMEOUT=10s`. Unset variables keep the defaults below, which suit a local node.
 *
 * Authentication is one of: an API key, basic auth (username and password), or none.
 * `toString()` and `util.inspect` mask the password, the API key and credentials in node URLs.
 *
 * @example
 * ```ts
 * const config = loadEnv(ElasticsearchConfig, 'ES_EXAMPLE');
 * ```
 */
export class ElasticsearchConfig extends MaskedConfig {
  /** Node URLs (`http://` or `https://`); list several for a cluster. Ignored when `cloudId` is set. */
  @AsList()
  @ArrayNotEmpty({ message: 'must list at least one node URL' })
  @IsUrl(NODE_URL, { each: true, message: 'each node must be an http:// or https:// URL' })
  nodes: string[] = ['http://127.0.0.1:9200'];

  /** Elastic Cloud deployment id, instead of `nodes`; empty for none. */
  @IsString()
  cloudId = '';

  /** User for basic auth; empty for none. */
  @ValidateIf((config: ElasticsearchConfig) => config.password !== '')
  @IsNotEmpty({ message: 'must be set when a password is' })
  @IsString()
  username = '';

  /** Password for basic auth. */
  @Secret()
  @IsString()
  password = '';

  /** API key (the base64 `id:api_key` form Kibana shows), instead of basic auth. */
  @Secret()
  @ValidateIf((config: ElasticsearchConfig) => config.username !== '')
  @IsEmpty({ message: 'cannot be combined with a username: use an API key or basic auth, not both' })
  apiKey = '';

  /** `<PREFIX>_CONNECT_TIMEOUT`: connect deadline of each start attempt (connect and first request), e.g. `5s`; the message names host:port. */
  @AsDuration()
  @IsInt()
  @Min(1)
  connectTimeout = 5_000;

  /** Time limit of one request, in ms (env: a duration such as `30s`). */
  @AsDuration()
  @IsInt()
  @Min(1)
  requestTimeout = 30_000;

  /** How many times the client retries a request on another node after a connection error or a 502/503/504, once started. */
  @IsInt()
  @Min(0)
  maxRetries = 3;

  /** For `https` nodes: reject servers whose certificate does not verify. */
  @IsBoolean()
  tlsRejectUnauthorized = true;

  /** For `https` nodes: SHA-256 fingerprint of the CA that signed the server certificate (a self-signed cluster); empty for none. */
  @Matches(/^(?:[0-9A-Fa-f]{2}(?::?[0-9A-Fa-f]{2}){31})?$/, { message: 'must be a SHA-256 fingerprint (64 hex digits, colons allowed) or empty' })
  caFingerprint = '';

  /** The configuration with secrets masked. */
}

/** Where the client connects, credentials masked: for messages. */
export function nodeAddresses(config: ElasticsearchConfig): string {
  return config.cloudId ? `cloud id ${config.cloudId.split(':', 1)[0]}` : (maskValue(config.nodes) as string[]).join(', ');
}
