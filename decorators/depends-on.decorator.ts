import { BandmasterError } from '../lib/errors';
import { badTokenDetail, describeToken, isInjectionToken, type InjectionToken } from '../lib/tokens';
import { addDependsOn } from './metadata';
import type { ClassDecorator } from './service.decorator';

/**
 * Declares start-order dependencies that are not injected: the class starts only after these
 * services started, and stops before them. They are always required.
 *
 * @throws BandmasterError `InvalidDefinition` when a token is not a class, string, symbol or token.
 * @example
 * ```ts
 * @Service()
 * @DependsOn('mc-3', Migrations)
 * class Api {}
 * ```
 */
export function DependsOn(...tokens: InjectionToken[]): ClassDecorator {
  return (target, context) => {
    tokens.forEach((t, i) => {
      if (!isInjectionToken(t)) {
        throw new BandmasterError('InvalidDefinition', {
          service: describeToken(target),
          detail: `@DependsOn() argument ${i}: ${badTokenDetail(t)}`,
        });
      }
    });
    if (context !== undefined && context.kind !== 'class') {
      throw new BandmasterError('InvalidDefinition', { service: describeToken(target), detail: '@DependsOn() decorates classes only' });
    }
    addDependsOn(target, tokens);
  };
}
