import { BandmasterError, describeCause, type BandmasterErrorFields, type ErrorKind } from '../errors';

/**
 * The scheduler's one way to build the error of a failed start or stop. It never throws, whatever
 * was thrown: a cause that cannot be rendered (a revoked Proxy, a throwing `message` getter, a
 * `Symbol.toPrimitive` bomb) still becomes the error's `cause`, and the message says it could not
 * be rendered. A throw here would escape from a promise reaction and leave the run unsettled.
 */
export function lifecycleError(kind: ErrorKind, fields: BandmasterErrorFields): BandmasterError {
  try {
    return new BandmasterError(kind, fields);
  } catch {
    const { cause, ...rest } = fields;
    let error: BandmasterError;
    try {
      error = new BandmasterError(kind, { ...rest, detail: 'its cause could not be rendered' });
    } catch {
      // the fields themselves are the scheduler's own strings and numbers: this cannot fail twice,
      // but the settle it guards must end in any case
      error = Object.assign(Object.create(BandmasterError.prototype) as BandmasterError, { kind, message: `${kind}: unrenderable` });
    }
    Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
    return error;
  }
}

/** {@link describeCause}, total: a value that cannot be rendered is described as such. */
export function describeSafely(cause: unknown): string {
  try {
    const text = describeCause(cause);
    return typeof text === 'string' ? text : 'a value that cannot be rendered';
  } catch {
    return 'a value that cannot be rendered';
  }
}
