import { BandmasterError } from '../lib/errors';
import { describeToken, isInjectionToken, type InjectionToken } from '../lib/tokens';
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
          detail: `@DependsOn() argument ${i} is ${String(t)}: pass a class, a string, a symbol or a token (a class that is undefined here usually means a circular import; name it with a string instead)`,
        });
      }
    });
    if (context !== undefined && context.kind !== 'class') {
      throw new BandmasterError('InvalidDefinition', { service: describeToken(target), detail: '@DependsOn() decorates classes only' });
    }
    addDependsOn(target, tokens);
  };
}
