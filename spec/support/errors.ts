import assert from 'node:assert/strict';
import { BandmasterError, BootError, ShutdownError } from '../../lib/errors';

/** The structured fields a test may check on a {@link BandmasterError}. */
export type ExpectedFields = Partial<Pick<BandmasterError, 'kind' | 'service' | 'dependency' | 'parent' | 'cycle' | 'attempts' | 'variables'>>;

/** Asserts that `error` is a {@link BandmasterError} with exactly these field values. */
export function assertBandmasterError(error: unknown, expected: ExpectedFields): asserts error is BandmasterError {
  assert.ok(error instanceof BandmasterError, `expected a BandmasterError, got ${String(error)}`);
  const actual: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) actual[key] = (error as unknown as Record<string, unknown>)[key];
  assert.deepEqual(actual, expected);
}

/** A validator for `assert.throws`/`assert.rejects`: a {@link BandmasterError} with these fields. */
export function isError(expected: ExpectedFields): (error: unknown) => true {
  return (error) => {
    assertBandmasterError(error, expected);
    return true;
  };
}

/** Awaits `promise`, asserts it rejects with an instance of `type`, and returns that error. */
export async function rejection<E>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a rejection with a ${type.name}, but it resolved`);
}

/** Awaits a boot that must fail, and returns its {@link BootError}. */
export const bootError = (promise: Promise<unknown>): Promise<BootError> => rejection(promise, BootError);

/** Awaits a shutdown that must fail, and returns its {@link ShutdownError}. */
export const shutdownError = (promise: Promise<unknown>): Promise<ShutdownError> => rejection(promise, ShutdownError);

/** The errors of an aggregate as `{ kind, service }` pairs sorted by service, for whole-list comparisons. */
export function kindsByService(errors: readonly BandmasterError[]): { service: string | undefined; kind: string }[] {
  return errors.map((e) => ({ service: e.service, kind: e.kind })).sort((a, b) => String(a.service).localeCompare(String(b.service)));
}
