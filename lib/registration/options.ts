// The lifecycle options of a registration (`required`, `retries`, timeouts, scope, tags, backoff,
// supervision and fleet options), merged from the decorator and the definition, and checked.
import type { LifecycleOptions, ServiceOptions } from '../../decorators/metadata';
import { BandmasterError, describeValue } from '../errors';
import { checkSupervision } from '../supervision/options';
import { checkFleet } from '../fleet/options';
import { isInjectionToken } from '../tokens';

const SCOPES: readonly unknown[] = ['singleton', 'transient', 'scoped'];

/** The `@Service` options, each lifecycle option overridden by the definition's where it gives one. */
export function mergeLifecycle(own: ServiceOptions | undefined, def: LifecycleOptions | undefined): ServiceOptions {
  const pick = <K extends keyof LifecycleOptions>(k: K): LifecycleOptions[K] => (def !== undefined && def[k] !== undefined ? def[k] : own?.[k]);
  return { name: own?.name, required: pick('required'), retries: pick('retries'), backoff: pick('backoff'), startTimeout: pick('startTimeout'), stopTimeout: pick('stopTimeout'), scope: pick('scope'), tags: pick('tags'), restart: pick('restart'), healthFailures: pick('healthFailures'), exclusive: pick('exclusive'), once: pick('once') };
}

export function checkOptions(name: string, o: LifecycleOptions): void {
  if (o.required !== undefined && typeof o.required !== 'boolean') invalid(name, '`required` must be a boolean');
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && o.retries >= 0)) invalid(name, `\`retries\` must be an integer >= 0, got ${describeValue(o.retries)}`);
  for (const k of ['startTimeout', 'stopTimeout'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) invalid(name, `\`${k}\` must be a positive number of ms, got ${describeValue(v)}`);
  }
  if (o.scope !== undefined && !SCOPES.includes(o.scope)) invalid(name, `\`scope\` must be 'singleton', 'transient' or 'scoped', got ${describeValue(o.scope)}`);
  if (o.tags !== undefined && !(Array.isArray(o.tags) && o.tags.every(isInjectionToken))) invalid(name, '`tags` must be an array of tokens (classes, strings, symbols or token<T>(name))');
  checkSupervision(name, o, invalid, checkBackoff);
  checkFleet(name, o, invalid);
  checkBackoff(name, o.backoff, 'backoff');
}

/** Checks a backoff option named `field` (`backoff`, `restart.backoff`). */
function checkBackoff(name: string, b: LifecycleOptions['backoff'], field: string): void {
  if (b === undefined) return;
  if (typeof b === 'number') {
    if (!(b >= 0 && Number.isFinite(b))) invalid(name, `\`${field}\` must be >= 0 ms, got ${b}`);
    return;
  }
  if (typeof b !== 'object' || b === null || !(b.initial >= 0)) invalid(name, `\`${field}\` must be a number of ms or { initial, factor?, max?, jitter? } with initial >= 0`);
  if (b.factor !== undefined && !(b.factor >= 1)) invalid(name, `\`${field}.factor\` must be >= 1, got ${b.factor}`);
  if (b.max !== undefined && !(b.max >= 0)) invalid(name, `\`${field}.max\` must be >= 0, got ${b.max}`);
  if (b.jitter !== undefined && !(b.jitter >= 0 && b.jitter <= 1)) invalid(name, `\`${field}.jitter\` must be within 0..1, got ${b.jitter}`);
}

export function invalid(service: string, detail: string): never {
  throw new BandmasterError('InvalidDefinition', { service, detail });
}
