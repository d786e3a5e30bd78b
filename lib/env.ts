/// <reference types="reflect-metadata" />
import type { ValidationError } from 'class-validator';
import { BandmasterError, describeValue } from './errors';
import { MASK, maskValue, showValue } from './config/mask';
import { clampDelay } from './delay';
import type { Constructor } from './tokens';

type ClassValidator = typeof import('class-validator');
type ClassTransformer = typeof import('class-transformer');
let classValidatorModule: ClassValidator | undefined;
let classTransformerModule: ClassTransformer | undefined;

/**
 * class-validator, loaded on first use: with its validator and phone-number tables it is most of
 * what `require('bandmaster')` would load (a cold load took ~140–190 ms here with it, ~15–30 ms
 * without), and an application that reads no config through bandmaster never needs it. A config
 * class that uses its decorators has loaded it already.
 */
export function classValidator(): ClassValidator {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (classValidatorModule ??= require('class-validator') as ClassValidator);
}

function classTransformer(): ClassTransformer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (classTransformerModule ??= require('class-transformer') as ClassTransformer);
}

const ENV_FIELDS = Symbol.for('bandmaster:env-fields');
const SECRET_NAME = /pass(word|phrase)?$|password|secret|token|credential|private[-_]?key|api[-_]?key|^key$/i;

/** How an environment variable's text becomes a value. */
export type EnvKind = 'string' | 'number' | 'boolean' | 'duration' | 'list';

interface EnvField {
  kind?: EnvKind;
  secret?: boolean;
}

/**
 * A config field decorator that works in both decorator modes: legacy (`experimentalDecorators`,
 * called with the prototype and the key) and TC39 standard decorators (called with `undefined`
 * and a field context; the field is recorded when the first instance is built, which `loadEnv`
 * does before it reads the fields).
 */
export interface ConfigFieldDecorator {
  /** Legacy (`experimentalDecorators`) form. */
  (target: object, propertyKey: string | symbol): void;
  /** TC39 standard form. */
  (value: undefined, context: ClassFieldDecoratorContext): void;
}

function isFieldContext(value: unknown): value is ClassFieldDecoratorContext {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'field';
}

function recordField(prototype: object, key: string | symbol, patch: EnvField): void {
  const fields = (Reflect.getOwnMetadata(ENV_FIELDS, prototype) as Map<string | symbol, EnvField> | undefined) ?? new Map<string | symbol, EnvField>();
  fields.set(key, { ...fields.get(key), ...patch });
  Reflect.defineMetadata(ENV_FIELDS, fields, prototype);
}

/**
 * Makes a legacy property decorator (class-validator's `@IsString()`, `@Min(1)`...) usable under
 * TC39 standard decorators too: `@configField(IsString()) host = ''`. In standard mode it is applied
 * to the class's prototype once, when the first instance is built (which `loadEnv` and
 * `resolveConfig` do before they validate). In legacy mode it is the decorator itself.
 *
 * @example
 * ```ts
 * class QueueConfig {
 *   @configField(IsString()) url = 'amqp://127.0.0.1:5672';
 *   @AsDuration() @configField(IsInt()) connectTimeout = 5_000;
 * }
 * ```
 */
export function configField(legacy: PropertyDecorator): ConfigFieldDecorator {
  const applied = new WeakSet<object>();
  return ((target: object | undefined, key: string | symbol | ClassFieldDecoratorContext): void => {
    if (!isFieldContext(key)) return legacy(target!, key);
    const name = key.name;
    key.addInitializer(function (this: unknown) {
      const prototype = Object.getPrototypeOf(this) as object;
      if (applied.has(prototype)) return;
      applied.add(prototype);
      legacy(prototype, name);
    });
  });
}

function fieldDecorator(patch: EnvField): ConfigFieldDecorator {
  return ((target: object | undefined, key: string | symbol | ClassFieldDecoratorContext): void => {
    if (isFieldContext(key)) {
      if (key.static || key.private) {
        throw new BandmasterError('InvalidDefinition', { detail: `config decorators go on public instance fields, not on ${key.static ? 'static' : 'private'} field ${String(key.name)}` });
      }
      const name = key.name;
      key.addInitializer(function (this: unknown) {
        recordField(Object.getPrototypeOf(this) as object, name, patch);
      });
      return;
    }
    recordField(target!, key, patch);
  });
}

/** The value is a secret: masked in every error, log and `maskSecrets` output. */
export const Secret = (): ConfigFieldDecorator => fieldDecorator({ secret: true });
/** Parses a duration: a Go duration (`150ms`, `2s`, `1m30s`, `1.5h`, `10us`, `100ns`) or a bare number of ms; the value is in ms, clamped to 2^31-1. */
export const AsDuration = (): ConfigFieldDecorator => fieldDecorator({ kind: 'duration' });
/** Parses a comma-separated list of strings. */
export const AsList = (): ConfigFieldDecorator => fieldDecorator({ kind: 'list' });
/** Parses a number (the default for `number` fields). */
export const AsNumber = (): ConfigFieldDecorator => fieldDecorator({ kind: 'number' });
/** Parses `true/false`, `1/0`, `yes/no`, `on/off` (the default for `boolean` fields). */
export const AsBoolean = (): ConfigFieldDecorator => fieldDecorator({ kind: 'boolean' });


/** `connectTimeout` -> `CONNECT_TIMEOUT`. */
export function envName(prefix: string, property: string): string {
  return `${prefix}_${property.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/**
 * Reads `<PREFIX>_<FIELD>` variables into a config class: converts them (numbers, booleans,
 * durations, comma lists), keeps the class's defaults for unset ones, and validates the result
 * with its class-validator decorators.
 *
 * @throws BandmasterError `InvalidConfig` listing every bad variable by full name and the rule it
 * broke, secret values masked.
 * @example
 * ```ts
 * class RedisConfig {
 *   @IsString() uri = 'redis://127.0.0.1:6379';
 *   @AsDuration() @IsInt() connectTimeout = 5_000;
 * }
 * const config = loadEnv(RedisConfig, 'RD_EXAMPLE'); // RD_EXAMPLE_URI, RD_EXAMPLE_CONNECT_TIMEOUT
 * ```
 */
export function loadEnv<T extends object>(configClass: Constructor<T>, prefix: string, env: Readonly<Record<string, string | undefined>> = process.env): T {
  const defaults = new configClass();
  const fields = envFields(configClass, defaults);
  const problems: string[] = [];
  const bad: string[] = [];
  const plain: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [property, field] of fields) {
    const name = envName(prefix, property);
    const raw = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
    if (raw === undefined) continue;
    const converted = convert(raw, field.kind ?? 'string');
    if ('error' in converted) {
      bad.push(name);
      problems.push(`${name}=${show(raw, field)}: ${converted.error}`);
    } else {
      plain[property] = converted.value;
    }
  }
  const config = classTransformer().plainToInstance(configClass, { ...plain });
  for (const error of classValidator().validateSync(config, { forbidUnknownValues: false })) {
    const name = envName(prefix, error.property);
    if (bad.includes(name)) continue;
    const field = fields.get(error.property) ?? {};
    bad.push(name);
    problems.push(`${name}=${show(error.value, field)}: ${constraints(error)}`);
  }
  if (problems.length > 0) {
    throw new BandmasterError('InvalidConfig', { service: prefix, detail: problems.map((p) => `  - ${p}`).join('\n'), variables: bad });
  }
  return config;
}

/**
 * Clamps every `@AsDuration()` field of a config set in code (`config: { connectTimeout: 3e9 }`)
 * through `clampDelay`, as parsing does for variables: a timer never turns a long delay into 1 ms.
 */
export function clampDurations<T extends object>(config: T): T {
  const record = config as Record<string, unknown>;
  for (const [key, field] of envFields(config.constructor as Constructor, config)) {
    const value = record[key];
    if (field.kind === 'duration' && typeof value === 'number' && value > 0) record[key] = clampDelay(value);
  }
  return config;
}

/** A copy of a config object with secret fields masked, and credentials in URLs masked: safe to log. */
export function maskSecrets<T extends object>(config: T): Record<string, unknown> {
  const fields = envFields(config.constructor as Constructor, config);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const field = fields.get(key) ?? { kind: undefined, secret: SECRET_NAME.test(key) };
    out[key] = field.secret && value !== undefined && value !== '' ? MASK : maskValue(value);
  }
  return out;
}

export { maskValue } from './config/mask';

function show(value: unknown, field: EnvField): string {
  return field.secret ? MASK : showValue(value, describeValue);
}

function constraints(error: ValidationError): string {
  const messages = Object.values(error.constraints ?? {}).map((m) => m.replace(new RegExp(`^${error.property}\\s+`), ''));
  if (messages.length === 0 && error.children?.length) return 'invalid nested value';
  return messages.join('; ');
}

function envFields(configClass: Constructor, defaults: object): Map<string, EnvField> {
  const fields = new Map<string, EnvField>();
  const declared = (Reflect.getMetadata(ENV_FIELDS, configClass.prototype) as Map<string, EnvField> | undefined) ?? new Map<string, EnvField>();
  const validated = classValidator().getMetadataStorage().getTargetValidationMetadatas(configClass, '', true, false).map((m) => m.propertyName);
  for (const key of new Set([...Object.keys(defaults), ...validated, ...declared.keys()])) {
    if (typeof key !== 'string') continue;
    const own = declared.get(key) ?? {};
    fields.set(key, { kind: own.kind ?? inferKind(configClass, key, (defaults as Record<string, unknown>)[key]), secret: own.secret ?? SECRET_NAME.test(key) });
  }
  return fields;
}

function inferKind(configClass: Constructor, key: string, fallback: unknown): EnvKind {
  const type = Reflect.getMetadata('design:type', configClass.prototype, key) as unknown;
  if (type === Number || typeof fallback === 'number') return 'number';
  if (type === Boolean || typeof fallback === 'boolean') return 'boolean';
  if (type === Array || Array.isArray(fallback)) return 'list';
  return 'string';
}

/** One Go duration term: `1.5h`, `30s`, `250ms`, `10us`, `100ns` (Go's units: h, m, s, ms, us/µs, ns). */
const DURATION_TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
/** A plain decimal: no sign, no exponent, no hex, no `Infinity`. */
const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * Parses a duration into ms: a Go duration (`1m30s`, `1.5h`, `250ms`, `10us`, `100ns`) or a plain
 * number of ms (`1500`). A non-zero duration under 1 ms is 1 ms; anything above the longest timer
 * (2^31-1 ms, about 24.8 days) is clamped to it by `clampDelay`. Returns `undefined` when the text
 * is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t.length === 0 || t.length > 100) return undefined;
  let total: number;
  if (DECIMAL.test(t)) {
    total = Number(t);
  } else {
    total = 0;
    DURATION_TERM.lastIndex = 0;
    let at = 0;
    while (at < t.length) {
      DURATION_TERM.lastIndex = at;
      const m = DURATION_TERM.exec(t);
      if (!m) return undefined;
      total += Number(m[1]) * UNIT_MS[m[2]!]!;
      at = DURATION_TERM.lastIndex;
    }
  }
  if (!Number.isFinite(total)) return clampDelay(Infinity);
  return clampDelay(total > 0 && total < 1 ? 1 : Math.round(total));
}

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };

/** Converts one variable's text. */
export function convert(raw: string, kind: EnvKind): { value: unknown } | { error: string } {
  const text = raw.trim();
  switch (kind) {
    case 'string':
      return { value: raw };
    case 'number': {
      // plain decimals only: `0x10`, `1e3`, `Infinity` and unsafe integers are ambiguous or lossy
      const n = /^-?\d+(?:\.\d+)?$/.test(text) ? Number(text) : NaN;
      return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? { value: n } : { error: 'must be a plain decimal number such as 42 or 0.5 (no hex, no exponent)' };
    }
    case 'boolean': {
      const b = BOOLEANS[text.toLowerCase()];
      return b === undefined ? { error: 'must be one of true/false, 1/0, yes/no, on/off' } : { value: b };
    }
    case 'duration': {
      const ms = parseDuration(text);
      return ms === undefined ? { error: 'must be a duration such as 150ms, 2s, 1m30s, 1.5h or a number of ms' } : { value: ms };
    }
    case 'list':
      return { value: text === '' ? [] : text.split(',').map((s) => s.trim()).filter((s) => s.length > 0) };
    default:
      return assertNever(kind);
  }
}

function assertNever(kind: never): never {
  throw new TypeError(`unknown env kind ${String(kind)}`);
}
