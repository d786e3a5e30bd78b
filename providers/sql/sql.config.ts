import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { AsDuration, Secret, MaskedConfig } from '../../lib';

/** `sslmode` values the provider understands, as libpq spells them. */
const SSL_MODES = ['disable', 'require', 'no-verify', 'verify-ca', 'verify-full'] as const;
/** Query parameters of `<PREFIX>_URL` the provider reads; others are refused rather than ignored. */
const URL_PARAMS = ['sslmode', 'application_name'];
/** A parameter name or value that can be shown in a message. */
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,39}$/;

/** Why `url` is not a usable `postgres://` URL, or undefined when it is. */
function postgresUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return 'must be a string';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a URL such as postgres://user@127.0.0.1:5432/postgres';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') return 'must start with postgres:// or postgresql://';
  if (!parsed.hostname) return 'must name a host: postgres://user@host:5432/database';
  for (const key of parsed.searchParams.keys()) {
    // a name shown only when it looks like one: text after a `?` in an unencoded password is not
    if (!URL_PARAMS.includes(key)) return `has unsupported parameter ${SAFE_NAME.test(key) ? key : '(not shown: percent-encode special characters in the password)'}: use the discrete variables (${URL_PARAMS.join(', ')} are read from the URL)`;
  }
  const mode = parsed.searchParams.get('sslmode');
  if (mode !== null && !(SSL_MODES as readonly string[]).includes(mode)) return `has sslmode=${SAFE_NAME.test(mode) ? mode : '(not shown)'}: use one of ${SSL_MODES.join(', ')}`;
  return undefined;
}

function IsPostgresUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPostgresUrl',
      validator: {
        validate: (value) => postgresUrlProblem(value) === undefined,
        defaultMessage: (args) => postgresUrlProblem(args?.value) ?? 'must be a postgres:// URL',
      },
    },
    options,
  );
}

/**
 * Configuration of the PostgreSQL provider, read by `loadEnv(SqlConfig, 'SQL_EXAMPLE')` from
 * `SQL_EXAMPLE_URL`, `SQL_EXAMPLE_PASSWORD`... Defaults match a local server (compose.yaml).
 *
 * The server comes from `url`; `host`, `port`, `user`, `password`, `database` and `ssl`, when
 * set, replace that part of it, so the password can live in its own (secret) variable.
 *
 * @example
 * ```ts
 * // SQL_EXAMPLE_URL=postgres://app@db.internal:5432/app SQL_EXAMPLE_PASSWORD=... SQL_EXAMPLE_MAX=20
 * const config = loadEnv(SqlConfig, 'SQL_EXAMPLE');
 * ```
 */
export class SqlConfig extends MaskedConfig {
  /**
   * `<PREFIX>_URL`: `postgres://[user[:password]@]host[:port][/database][?sslmode=...&application_name=...]`.
   * sslmode: `disable`, `require`/`no-verify` (encrypted, certificate not checked), `verify-ca`/`verify-full` (checked).
   */
  @IsString()
  @IsPostgresUrl()
  url = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** `<PREFIX>_HOST`: replaces the URL's host; a path (`/var/run/postgresql`) is a Unix socket directory. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  host?: string;

  /** `<PREFIX>_PORT`: replaces the URL's port. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65_535)
  port?: number;

  /** `<PREFIX>_USER`: replaces the URL's user. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  user?: string;

  /** `<PREFIX>_PASSWORD`: replaces the URL's password. */
  @Secret()
  @IsOptional()
  @IsString()
  password?: string;

  /** `<PREFIX>_DATABASE`: replaces the URL's database. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  database?: string;

  /** `<PREFIX>_SSL`: `true` requires TLS with a verified certificate, `false` disables it; unset follows the URL's sslmode. */
  @IsOptional()
  @IsBoolean()
  ssl?: boolean;

  /** `<PREFIX>_MAX`: most connections the pool opens. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  max = 10;

  /** `<PREFIX>_CONNECT_TIMEOUT`: time limit of one connection's connect and authentication; 0 for none. */
  @AsDuration()
  @IsInt()
  @Min(0)
  connectTimeout = 5_000;

  /** `<PREFIX>_IDLE_TIMEOUT`: an idle pooled connection is closed after this long; 0 keeps them open. */
  @AsDuration()
  @IsInt()
  @Min(0)
  idleTimeout = 10_000;

  /** `<PREFIX>_STATEMENT_TIMEOUT`: the server cancels a statement running longer; 0 for none. */
  @AsDuration()
  @IsInt()
  @Min(0)
  statementTimeout = 0;

  /** `<PREFIX>_APPLICATION_NAME`: shown in `pg_stat_activity`; defaults to the service name. */
  @IsOptional()
  @IsString()
  applicationName?: string;

  /** The configuration with the password masked, in the URL too. */
}
