import { ArrayNotEmpty, IsBoolean, IsInt, IsNotEmpty, IsString, Matches, Min, ValidateIf } from 'class-validator';
import { AsDuration, AsList, Secret, MaskedConfig, IsAddress } from '../../lib';

/** An unquoted CQL identifier, or empty for none. */
const KEYSPACE = /^(?:[A-Za-z][A-Za-z0-9_]{0,47})?$/;

export const CASSANDRA_DEFAULT_PORT = 9042;

/**
 * Configuration of the Cassandra provider. With `cassandra({ env: 'CQL_EXAMPLE' })` every field
 * is read from `CQL_EXAMPLE_<FIELD>`: `CQL_EXAMPLE_CONTACT_POINTS=10.0.0.1,10.0.0.2:9043`,
 * `CQL_EXAMPLE_READ_TIMEOUT=5s`. Unset variables keep the defaults below, which suit a local node.
 *
 * `toString()` and `util.inspect` mask the password.
 *
 * @example
 * ```ts
 * const config = loadEnv(CassandraConfig, 'CQL_EXAMPLE');
 * ```
 */
export class CassandraConfig extends MaskedConfig {
  /** Nodes to connect to first, `host` or `host:port` (port 9042 when left out); list several for a cluster. */
  @AsList()
  @ArrayNotEmpty({ message: 'must list at least one contact point' })
  @IsAddress({ each: true, defaultPort: CASSANDRA_DEFAULT_PORT })
  contactPoints: string[] = [`127.0.0.1:${CASSANDRA_DEFAULT_PORT}`];

  /** The data center the driver treats as local (it only queries nodes there). */
  @IsString()
  @IsNotEmpty()
  localDataCenter = 'datacenter1';

  /** Keyspace to `USE` on every connection; empty for none. */
  @Matches(KEYSPACE, { message: 'must be a CQL identifier (letters, digits, underscores) or empty' })
  keyspace = '';

  /** User for `PlainTextAuthProvider`; empty for no authentication. */
  @ValidateIf((config: CassandraConfig) => config.password !== '')
  @IsNotEmpty({ message: 'must be set when a password is' })
  @IsString()
  username = '';

  /** Password for `PlainTextAuthProvider`. */
  @Secret()
  @IsString()
  password = '';

  /** Time limit of opening one TCP connection, in ms (env: a duration such as `5s`). */
  @AsDuration()
  @IsInt()
  @Min(1)
  connectTimeout = 5_000;

  /** Time limit of one request, the connect handshake included, in ms (env: a duration). */
  @AsDuration()
  @IsInt()
  @Min(1)
  readTimeout = 12_000;

  /** Connect with TLS. A custom CA goes in `NODE_EXTRA_CA_CERTS`. */
  @IsBoolean()
  tls = false;

  /** With `tls`, reject servers whose certificate does not verify. */
  @IsBoolean()
  tlsRejectUnauthorized = true;

  /** The configuration with the password masked. */
}

export function contactAddresses(config: CassandraConfig): string {
  return config.contactPoints.map((point) => (/(?:^[^:[]+|\])$/.test(point) ? `${point}:${CASSANDRA_DEFAULT_PORT}` : point)).join(', ');
}
