import { BandmasterError } from '../lib/errors';
import { all, badTokenDetail, describeToken, isInjectionToken, type InjectionToken } from '../lib/tokens';
import { setInjectToken, setOptionalParam } from './metadata';

/** A legacy parameter decorator, as `@Inject` and `@Optional` are. */
export type ParameterDecorator = (target: object, propertyKey: string | symbol | undefined, index: number) => void;

function assertConstructorParam(decorator: string, target: object, propertyKey: string | symbol | undefined): void {
  if (propertyKey !== undefined || typeof target !== 'function') {
    const owner = typeof target === 'function' ? target : target.constructor;
    throw new BandmasterError('InvalidDefinition', {
      service: describeToken(owner),
      detail: `${decorator} is for constructor parameters; it was put on a parameter of method \`${String(propertyKey)}\``,
    });
  }
}

/**
 * Names the token to inject into a constructor parameter, instead of its declared type.
 * Use it for strings, symbols, typed tokens and interfaces.
 *
 * @throws BandmasterError `InvalidDefinition` on a method parameter or with an undefined token.
 * @example
 * ```ts
 * constructor(@Inject('rd-1') private readonly redis: Redis) {}
 * ```
 */
export function Inject(token: InjectionToken): ParameterDecorator {
  return (target, propertyKey, index) => {
    assertConstructorParam('@Inject()', target, propertyKey);
    if (!isInjectionToken(token)) {
      throw new BandmasterError('InvalidDefinition', {
        service: describeToken(target),
        detail: `@Inject() on parameter ${index}: ${badTokenDetail(token)}`,
      });
    }
    setInjectToken(target, index, token);
  };
}

/**
 * Marks a constructor parameter as optional: it receives `undefined` when its service is not
 * registered or failed to start, and the service starts anyway.
 *
 * @throws BandmasterError `InvalidDefinition` on a method parameter.
 */
export function Optional(): ParameterDecorator {
  return (target, propertyKey, index) => {
    assertConstructorParam('@Optional()', target, propertyKey);
    setOptionalParam(target, index);
  };
}

/**
 * Injects every service tagged `tag` (`@Service({ tags: [tag] })`) into a constructor parameter,
 * as an array in registration order; the service waits for all of them. A failed optional member
 * is left out, a failed required one fails the service; a tag no service has gives `[]`.
 *
 * @throws BandmasterError `InvalidDefinition` on a method parameter or with an undefined tag.
 * @example
 * ```ts
 * constructor(@InjectAll(HEALTH_CHECK) private readonly checks: Check[]) {}
 * ```
 */
export function InjectAll(tag: InjectionToken): ParameterDecorator {
  return (target, propertyKey, index) => {
    assertConstructorParam('@InjectAll()', target, propertyKey);
    if (!isInjectionToken(tag)) {
      throw new BandmasterError('InvalidDefinition', {
        service: describeToken(target),
        detail: `@InjectAll() on parameter ${index}: ${badTokenDetail(tag)}`,
      });
    }
    setInjectToken(target, index, all(tag));
  };
}
