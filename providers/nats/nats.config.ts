import { ArrayNotEmpty, IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { AsDuration, AsList, Secret, MaskedConfig } from '../../lib';

/** One server of `<PREFIX>_SERVERS`, parsed. */
export interface NatsServer {
  /** `host:port` (`[v6]:port`), as given to the client and named in messages. */
  readonly address: string;
  /** The URL asked for TLS (`tls://`). */
  readonly tls: boolean;
  /** Credentials written in the URL: `user:password@` or `token@`. */
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
}

/**
 * Parses `nats://[user:password@|token@]host[:port]`, `tls://...` or a bare `host[:port]`.
 *
 * @throws TypeError when `server` is not such an address.
 */
export function parseServer(server: string): NatsServer {
  const text = server.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `nats://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError('must be nats://host:port, tls://host:port or host:port');
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new TypeError(`must use nats:// or tls://, not ${url.protocol}//`);
  if (!url.hostname || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new TypeError('must be nats://host:port, tls://host:port or host:port');
  }
  const user = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const credentials = password === undefined ? { token: user } : { user, password };
  return { address: `${url.hostname}:${url.port || '4222'}`, tls: url.protocol === 'tls:', ...credentials };
}

function IsNatsServer(options?: ValidationOptions): PropertyDecorator {
  const problem = (value: unknown): string | undefined => {
    if (typeof value !== 'string') return 'must be a string';
    try {
      parseServer(value);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  return ValidateBy(
    {
      name: 'isNatsServer',
      validator: {
        validate: (value) => problem(value) === undefined,
        defaultMessage: (args) => {
          const values: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
          const index = values.findIndex((v) => problem(v) !== undefined);
          // the entry's position, not its text: it may carry a password
          return `entry ${index + 1} ${problem(values[index]) ?? 'must be a NATS server address'}`;
        },
      },
    },
    options,
  );
}

/**
 * Configuration of the NATS provider, read by `loadEnv(NatsConfig, 'NATS_EXAMPLE')` from
 * `NATS_EXAMPLE_SERVERS`, `NATS_EXAMPLE_USER`... Defaults match a local server (compose.yaml).
 *
 * Authentication: user and password, a token, an NKEY seed or a `.creds` file (JWT + NKEY), from
 * these fields or, for user/password and token, from the first server URL that carries them.
 *
 * @example
 * ```ts
 * // NATS_EXAMPLE_SERVERS=nats://n1:4222,nats://n2:4222 NATS_EXAMPLE_CREDS_FILE=/run/secrets/app.creds
 * const config = loadEnv(NatsConfig, 'NATS_EXAMPLE');
 * ```
 */
export class NatsConfig extends MaskedConfig {
  /** `<PREFIX>_SERVERS`: comma list of the cluster's seed servers; the client learns the others. */
  @AsList()
  @ArrayNotEmpty()
  @IsNatsServer({ each: true })
  servers = ['nats://127.0.0.1:4222'];

  /** `<PREFIX>_USER`. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  user?: string;

  /** `<PREFIX>_PASSWORD`. */
  @Secret()
  @IsOptional()
  @IsString()
  password?: string;

  /** `<PREFIX>_TOKEN`. */
  @Secret()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  token?: string;

  /** `<PREFIX>_NKEY_SEED`: a user NKEY seed (`SU...`). */
  @Secret()
  @IsOptional()
  @Matches(/^SU[A-Z2-7]+$/, { message: 'must be a user NKEY seed (SU...)' })
  nkeySeed?: string;

  /** `<PREFIX>_CREDS_FILE`: path of a `.creds` file (JWT and NKEY seed), read at each start. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  credsFile?: string;

  /** `<PREFIX>_NAME`: the connection's name on the server (`/connz`); defaults to the service name. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  name?: string;

  /** `<PREFIX>_TLS`: `true` requires TLS, `false` refuses it; unset uses TLS when the server offers it. */
  @IsOptional()
  @IsBoolean()
  tls?: boolean;

  /** `<PREFIX>_TLS_CA_FILE`: PEM file of the CA that signed the server certificate. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  tlsCaFile?: string;

  /** `<PREFIX>_TLS_CERT_FILE`: PEM client certificate, for servers that verify clients. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  tlsCertFile?: string;

  /** `<PREFIX>_TLS_KEY_FILE`: PEM key of the client certificate. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  tlsKeyFile?: string;

  /** `<PREFIX>_TIMEOUT`: time limit of the connect and handshake with one server. */
  @AsDuration()
  @IsInt()
  @Min(1)
  timeout = 5_000;

  /** `<PREFIX>_MAX_RECONNECT_ATTEMPTS`: after start, attempts per server once the connection dropped; -1 never gives up. */
  @IsInt()
  @Min(-1)
  maxReconnectAttempts = -1;

  /** `<PREFIX>_RECONNECT_TIME_WAIT`: after start, pause before reconnecting to the same server. */
  @AsDuration()
  @IsInt()
  @Min(0)
  reconnectTimeWait = 2_000;

  /** The configuration with secrets masked, in server URLs too. */
}
