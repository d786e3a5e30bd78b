import { BandmasterError } from '../lib/errors';
import { describeToken } from '../lib/tokens';
import { setServiceMetadata, type ServiceOptions } from './metadata';

/**
 * A class decorator that works both as a legacy (`experimentalDecorators`) and as a TC39 standard
 * decorator: legacy calls pass the class alone, standard calls pass a context as well.
 */
export type ClassDecorator = (target: abstract new (...args: never[]) => unknown, context?: ClassDecoratorContext) => void;

/**
 * Marks a class as a service the container can construct and run.
 *
 * Constructor parameters are its dependencies (types from `design:paramtypes`, or `@Inject` tokens,
 * or `options.inject` where there is no decorator metadata). Optional hooks: `onStart(signal)`,
 * `onStop(signal)`, `healthCheck(signal)`.
 *
 * @throws BandmasterError `InvalidDefinition` when applied to something other than a class.
 * @example
 * ```ts
 * @Service({ retries: 2, backoff: 100 })
 * class Sessions implements OnStart {
 *   constructor(@Inject('rd-1') private readonly redis: Redis) {}
 *   async onStart(signal: AbortSignal) { await this.redis.ping(); }
 * }
 * ```
 */
export function Service(options: ServiceOptions = {}): ClassDecorator {
  return (target, context) => {
    if (typeof target !== 'function' || (context !== undefined && context.kind !== 'class')) {
      throw new BandmasterError('InvalidDefinition', {
        service: options.name ?? describeToken(target),
        detail: '@Service() decorates classes only',
      });
    }
    setServiceMetadata(target, { options: { ...options } });
  };
}
