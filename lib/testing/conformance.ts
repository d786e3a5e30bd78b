import { Container, BootError, ShutdownError, describeCause } from '../index';
import type { AnyDefinition, ErrorKind, Constructor } from '../index';

/** Options of {@link checkConformance}. */
export interface ConformanceOptions {
  /** Time limit of each step in ms; default 15000. */
  readonly timeout?: number;
  /** Called after each step passed, with its name: to log progress. */
  readonly onStep?: (step: string) => void;
}

/** The steps {@link checkConformance} runs, in order. */
export const CONFORMANCE_STEPS = [
  'cancelled start fails',
  'cancelled start fails again',
  'start succeeds',
  'start again is a no-op',
  'cancelled stop fails',
  'cancelled stop fails again',
  'stop succeeds',
  'stop again is a no-op',
  'restart works with a fresh instance',
] as const;

/**
 * The generic service test of the Go original (`TestService_Generic`), runner-agnostic: it runs
 * the service through cancelled and real starts and stops in a fresh container, and throws on the
 * first violation. Every provider runs it against a real (or wire-level test) server.
 *
 * @param service - the `@Service` class or definition under test; called once per container.
 * @throws Error naming the step and what went wrong.
 * @example
 * ```ts
 * it('conforms', () => checkConformance(() => redis({ name: 'rd-test' })));
 * ```
 */
export async function checkConformance(service: () => Constructor | AnyDefinition, options: ConformanceOptions = {}): Promise<void> {
  const timeout = options.timeout ?? 15_000;
  const container = new Container({ logger: false });
  container.register(service());
  const step = (name: (typeof CONFORMANCE_STEPS)[number]): void => options.onStep?.(name);
  const name = container.status()[0]!.name;
  const aborted = (): AbortSignal => AbortSignal.abort(new DOMException('cancelled by the conformance check', 'AbortError'));
  try {
    for (const label of ['cancelled start fails', 'cancelled start fails again'] as const) {
      await expectRejection(container.startAll({ signal: aborted() }), BootError, 'ServiceStartFailure', label);
      expectState(container, name, 'failed', label);
      step(label);
    }
    await container.startAll({ timeout }).catch((e: unknown) => fail('start succeeds', e));
    const first = container.resolve(name);
    step('start succeeds');
    await container.startAll({ timeout }).catch((e: unknown) => fail('start again is a no-op', e));
    if (container.resolve(name) !== first) fail('start again is a no-op', 'a second startAll replaced the started instance');
    step('start again is a no-op');
    for (const label of ['cancelled stop fails', 'cancelled stop fails again'] as const) {
      await expectRejection(container.stopAll({ signal: aborted() }), ShutdownError, 'ServiceStopFailure', label);
      expectState(container, name, 'started', label);
      step(label);
    }
    await container.stopAll({ timeout }).catch((e: unknown) => fail('stop succeeds', e));
    expectState(container, name, 'stopped', 'stop succeeds');
    step('stop succeeds');
    await container.stopAll({ timeout }).catch((e: unknown) => fail('stop again is a no-op', e));
    step('stop again is a no-op');
    await container.startAll({ timeout }).catch((e: unknown) => fail('restart works with a fresh instance', e));
    const second = container.resolve(name);
    if (second === first && typeof first === 'object' && !isValueDefinition(service)) {
      fail('restart works with a fresh instance', 'the restarted service returned the instance of the first start');
    }
    step('restart works with a fresh instance');
  } finally {
    await container.stopAll({ timeout }).catch(() => undefined);
  }
}

function isValueDefinition(service: () => Constructor | AnyDefinition): boolean {
  const s = service();
  return typeof s === 'object' && 'useValue' in s;
}

async function expectRejection(promise: Promise<unknown>, type: typeof BootError | typeof ShutdownError, kind: ErrorKind, step: string): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  if (!(error instanceof type)) fail(step, error === undefined ? 'it succeeded' : `expected ${type.name}, got ${describeCause(error)}`);
  const kinds = error.errors.map((e) => e.kind);
  if (!kinds.includes(kind)) fail(step, `expected a ${kind} error, got ${kinds.join(', ') || 'none'}`);
}

function expectState(container: Container, name: string, state: string, step: string): void {
  const actual = container.status().find((s) => s.name === name)?.state;
  if (actual !== state) fail(step, `expected the service to be ${state}, it is ${String(actual)}`);
}

function fail(step: string, problem: unknown): never {
  throw new Error(`conformance check failed at "${step}": ${typeof problem === 'string' ? problem : describeCause(problem)}`, { cause: problem });
}
