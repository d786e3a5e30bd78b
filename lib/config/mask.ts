/**
 * The one masking function. Every message, log field, `String(config)`, `JSON.stringify(config)`
 * and `util.inspect(config)` that may show a URL goes through {@link maskValue}, before any cut.
 */

/** What a masked secret is shown as. */
export const MASK = '****';

/** `scheme://`: where a URL starts inside a value (one value may hold a list of URLs). */
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//gi;
/** Schemes whose lone userinfo (`nats://token@host`) is a token, not a user name. */
const TOKEN_SCHEMES = /^(nats|tls|ws|wss):\/\/$/i;
/** Secrets passed as query parameters: `?password=...`, `&sslpassword=...`, `?token=...`. */
const SECRET_PARAM = /([?&;](?:[a-z_-]*pass(?:word|phrase)?|pwd|token|secret|api[_-]?key|access[_-]?key)=)[^&#;\s]*/gi;

/**
 * Masks the password of every `user:password@host` in a string (or in each string of an array),
 * leaving the user name and the host readable: `redis://app:****@cache:6379`.
 *
 * The password runs from the first `:` of the userinfo to the LAST `@` before the host, so any
 * character (`,`, `@`, `/`, spaces) and any length is covered; a lone userinfo after a `nats://`
 * style scheme is a token and is masked whole. Secret query parameters (`?password=`) are masked
 * too. Other values are returned as they are.
 *
 * @example
 * ```ts
 * maskValue('postgres://app:p@ss,w rd@db:5432/app'); // 'postgres://app:****@db:5432/app'
 * ```
 */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map(maskValue);
  return value;
}

function maskText(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  const starts: { at: number; scheme: string }[] = [];
  SCHEME.lastIndex = 0;
  for (let m = SCHEME.exec(text); m !== null; m = SCHEME.exec(text)) starts.push({ at: m.index, scheme: m[0] });
  let out: string;
  if (starts.length === 0) {
    out = maskSegment(text, '');
  } else {
    out = text.slice(0, starts[0]!.at);
    for (let i = 0; i < starts.length; i++) {
      const { at, scheme } = starts[i]!;
      const end = i + 1 < starts.length ? starts[i + 1]!.at : text.length;
      out += scheme + maskSegment(text.slice(at + scheme.length, end), scheme);
    }
  }
  return out.replace(SECRET_PARAM, `$1${MASK}`);
}

/** One URL after its scheme (or a scheme-less value): masks its userinfo's password. */
function maskSegment(segment: string, scheme: string): string {
  const at = segment.lastIndexOf('@');
  if (at < 0) return segment;
  const userinfo = segment.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon >= 0) return `${userinfo.slice(0, colon)}:${MASK}${segment.slice(at)}`;
  if (TOKEN_SCHEMES.test(scheme)) return `${MASK}${segment.slice(at)}`;
  return segment;
}

/**
 * A value shown in a message: masked first, then cut to `max` characters, JSON-quoted.
 * `describe` renders a non-string value (it must not throw).
 */
export function showValue(value: unknown, describe: (v: unknown) => string, max = 80): string {
  const text = typeof value === 'string' ? value : describe(value);
  const masked = String(maskValue(text));
  return JSON.stringify(masked.length > max ? `${masked.slice(0, max - 3)}...` : masked);
}
