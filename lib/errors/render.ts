import { maskValue } from '../config/mask';

/**
 * The one place where thrown values become text. Every function here is total: whatever it is
 * given (an Error whose `message` getter throws, a null-prototype object, a `Symbol.toPrimitive`
 * bomb, a revoked Proxy, an AggregateError holding one, a cycle of causes, a string of 100 MB), it
 * returns a string of bounded length and never throws. The scheduler renders causes inside its
 * settle path, so a throw here would leave a service `starting` forever.
 */

/** Longest rendering of one cause or value, in characters, before it is cut with a count. */
export const MAX_RENDERED_LENGTH = 1_000;

/** The parts are cut at {@link MAX_RENDERED_LENGTH}; the whole keeps room for their "(N more characters)" notes. */
const OUTER_BOUND = MAX_RENDERED_LENGTH + 64;

/** What a value that cannot be read at all renders as. */
const UNRENDERABLE = '[a value that cannot be rendered]';

/** Nested AggregateErrors and causes are followed this deep, no deeper (they may form a cycle). */
const MAX_DEPTH = 4;

/**
 * Cuts `text` to `max` characters, saying how many were left out. Never splits a surrogate pair.
 *
 * @example
 * ```ts
 * cut('x'.repeat(5_000), 10); // 'xxxxxxxxxx… (4990 more characters)'
 * ```
 */
export function cut(text: string, max: number = MAX_RENDERED_LENGTH): string {
  if (text.length <= max) return text;
  let end = Math.max(0, Math.floor(max));
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/**
 * Renders an error cause as one bounded line, without stack: an Error by its message (or name),
 * an AggregateError without message by its errors, a string as is, anything else as
 * {@link describeValue} does. Never throws.
 */
export function describeCause(cause: unknown): string {
  return cut(renderCause(cause, 0), OUTER_BOUND);
}

/**
 * Renders a value for a message, as a caller would write it: `NaN` and `Infinity` as such (JSON
 * has them as `null`), a string quoted, a function by its name. Bounded, and never throws.
 */
export function describeValue(value: unknown): string {
  return cut(renderValue(value), OUTER_BOUND);
}

function renderCause(cause: unknown, depth: number): string {
  try {
    if (typeof cause === 'string') return cut(mask(cause));
    if (isError(cause)) return renderError(cause, depth);
    return renderValue(cause);
  } catch {
    return UNRENDERABLE;
  }
}

function renderError(error: Error, depth: number): string {
  const message = read(error, 'message');
  if (typeof message === 'string' && message !== '') return cut(mask(message));
  if (depth < MAX_DEPTH && error instanceof AggregateError) {
    const errors = read(error, 'errors');
    if (Array.isArray(errors) && errors.length > 0) return renderList(errors, depth + 1);
  }
  const name = read(error, 'name');
  const label = typeof name === 'string' && name !== '' ? cut(name, 100) : 'Error';
  return message === THREW ? `${label} (its message cannot be read)` : label;
}

/** Joins the renderings of `errors` with `; ` until the budget is spent, then counts the rest. */
function renderList(errors: readonly unknown[], depth: number): string {
  const parts: string[] = [];
  let length = 0;
  let i = 0;
  for (; i < errors.length && length <= MAX_RENDERED_LENGTH - 40; i++) {
    const part = cut(renderCause(read(errors, i), depth), MAX_RENDERED_LENGTH / 4);
    parts.push(part);
    length += part.length + 2;
  }
  if (i < errors.length) parts.push(`…and ${errors.length - i} more`);
  return parts.join('; ');
}

function renderValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'number':
      case 'bigint':
      case 'boolean':
      case 'undefined':
        return String(value);
      case 'symbol':
        return cut(String(value), 200);
      case 'string':
        return JSON.stringify(cut(mask(value)));
      case 'function': {
        const name = read(value, 'name');
        return `function ${typeof name === 'string' && name !== '' ? cut(name, 100) : '(anonymous)'}`;
      }
      default:
        return renderObject(value);
    }
  } catch {
    return UNRENDERABLE;
  }
}

function renderObject(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return cut(mask(json));
  } catch {
    // a cycle, a BigInt, a throwing toJSON or getter: fall back to the object's tag
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return UNRENDERABLE;
  }
}

/** Masks URL passwords before anything is cut: a cut inside a password would show its start. */
function mask(text: string): string {
  return String(maskValue(text));
}

/** Marks a property whose getter threw. */
const THREW = Symbol('threw');

/** Reads one property; a getter or proxy trap that throws gives {@link THREW}. */
function read(target: object, key: PropertyKey): unknown {
  try {
    return (target as Record<PropertyKey, unknown>)[key];
  } catch {
    return THREW;
  }
}

/** `instanceof Error` that cannot throw (a revoked proxy's prototype cannot be read). */
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** A path for a title line: a long one keeps its ends and counts the middle (the field holds all of it). */
export function boundedPath(names: readonly string[], separator: string, max = 12): string {
  if (names.length <= max) return names.join(separator);
  const head = names.slice(0, max - 4);
  const tail = names.slice(-3);
  return `${head.join(separator)}${separator}…${names.length - head.length - tail.length} more…${separator}${tail.join(separator)}`;
}
