import type { ValidationOptions } from 'class-validator';
import { classValidator, configField, type ConfigFieldDecorator } from '../env';

/** A parsed server address. `host` has no brackets (`::1`, not `[::1]`). */
export interface Address {
  /** Host name or IP address (an IPv6 address without its brackets). */
  readonly host: string;
  /** Port, from 1 to 65535. */
  readonly port: number;
}

/** The rule every address variable follows, for messages. */
export const ADDRESS_RULE = 'must be host:port with a port from 1 to 65535 (IPv6 in brackets: [::1]:6379)';

const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

/**
 * The one address parser: `host:port`, `[v6]:port`, or a bare host (when `defaultPort` is given).
 * The port must be an integer from 1 to 65535 in decimal. Returns `undefined` for anything else,
 * so callers name their own variable and rule (see {@link ADDRESS_RULE}).
 *
 * @example
 * ```ts
 * parseAddress('[::1]:6379'); // { host: '::1', port: 6379 }
 * parseAddress('cache', 6379); // { host: 'cache', port: 6379 }
 * parseAddress('cache:0'); // undefined
 * ```
 */
export function parseAddress(text: string, defaultPort?: number): Address | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 300) return undefined;
  let host: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    host = text.slice(1, close);
    if (!IPV6.test(host) || !host.includes(':')) return undefined;
    rest = text.slice(close + 1);
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    rest = colon < 0 ? '' : text.slice(colon);
    if (!HOST_NAME.test(host)) return undefined;
  }
  if (rest === '') return defaultPort === undefined ? undefined : { host, port: defaultPort };
  const port = parsePort(rest.slice(1));
  if (!rest.startsWith(':') || port === undefined) return undefined;
  return { host, port };
}

/** A decimal port from 1 to 65535, or `undefined`. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : undefined;
}

/** `host:port`, bracketing an IPv6 host: for messages. */
export function formatAddress(address: Address): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * class-validator decorator: the value (or each value, with `{ each: true }`) parses with
 * {@link parseAddress}; works in both decorator modes. With `defaultPort`, a bare host is accepted; with `allowUserinfo`, a
 * `user:password@` before the address (memjs's form) is.
 */
export function IsAddress(options: { defaultPort?: number; allowUserinfo?: boolean } & ValidationOptions = {}): ConfigFieldDecorator {
  const { defaultPort, allowUserinfo, ...validation } = options;
  const strip = (value: string): string => (allowUserinfo ? value.slice(value.lastIndexOf('@') + 1) : value);
  // class-validator is loaded when a config class is decorated, not when bandmaster is
  return configField((target, key) => classValidator().ValidateBy(
    {
      name: 'isAddress',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseAddress(strip(value), defaultPort) !== undefined,
        defaultMessage: () => (defaultPort === undefined ? ADDRESS_RULE : ADDRESS_RULE.replace('must be host:port', 'must be host or host:port')),
      },
    },
    validation,
  )(target, key));
}

/**
 * Parses a server URL such as `redis://user:pass@host:6379/0` without keeping Node's
 * `ERR_INVALID_URL` (whose `input` field holds the whole URL, password included). Returns the
 * URL, or a rule broken, never an error object.
 */
export function parseServerUrl(
  text: string,
  schemes: readonly string[],
): {
  /** The parsed URL. */
  url: URL;
} | {
  /** The rule the text breaks, for a message (it never repeats the text, which may hold a password). */
  rule: string;
} {
  const rule = `must be a ${schemes.map((s) => `${s}//`).join(' or ')} URL with a host and a port from 1 to 65535`;
  if (typeof text !== 'string') return { rule };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { rule };
  }
  if (!schemes.includes(url.protocol)) return { rule };
  if (url.hostname === '' && url.host === '') return { rule };
  // WHATWG drops a default port (`:80`) and rejects > 65535; 0 is accepted by URL, not by servers
  const explicit = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?/i.exec(text);
  const portText = explicit?.[2];
  if (portText !== undefined && portText !== '' && parsePort(portText) === undefined) return { rule };
  return { url };
}

/** class-validator decorator: the value parses with {@link parseServerUrl} for these schemes (`'redis:'`). */
export function IsServerUrl(schemes: readonly string[], options: ValidationOptions = {}): ConfigFieldDecorator {
  return configField((target, key) => classValidator().ValidateBy(
    {
      name: 'isServerUrl',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && 'url' in parseServerUrl(value, schemes),
        defaultMessage: () => (parseServerUrl('', schemes) as { rule: string }).rule,
      },
    },
    options,
  )(target, key));
}
