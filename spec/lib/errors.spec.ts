import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, BootError, isBandmasterError, LifecycleReport, ShutdownError, type ErrorKind } from '../../lib';

const refused = new Error('connect ECONNREFUSED 127.0.0.1:11211');

/** One error of every kind, with the fields that kind carries. */
const EXAMPLES: Record<ErrorKind, BandmasterError> = {
  ServiceAlreadyExists: new BandmasterError('ServiceAlreadyExists', { service: 'A', detail: 'pick another name' }),
  ServiceWithoutDecorator: new BandmasterError('ServiceWithoutDecorator', { service: 'Plain', detail: 'add @Service()' }),
  ServiceDependsOnItself: new BandmasterError('ServiceDependsOnItself', { service: 'X' }),
  ServiceDuplicateDependency: new BandmasterError('ServiceDuplicateDependency', { service: 'X', dependency: 'B' }),
  DependencyMissing: new BandmasterError('DependencyMissing', { service: 'C', dependency: 'D', detail: 'register a service under that name' }),
  DependencyCircular: new BandmasterError('DependencyCircular', { service: 'A', cycle: ['A', 'D', 'B', 'A'] }),
  DependencyUnavailable: new BandmasterError('DependencyUnavailable', { service: 'repo', dependency: 'mc-x', cause: refused }),
  ParentUnavailable: new BandmasterError('ParentUnavailable', { service: 'db', parent: 'api', cause: new Error('flush failed') }),
  ServiceStartFailure: new BandmasterError('ServiceStartFailure', { service: 'mc-x', cause: refused, attempts: 3 }),
  ServiceStopFailure: new BandmasterError('ServiceStopFailure', { service: 'mc-x', cause: new DOMException('`mc-x` stop attempt timed out after 10ms', 'TimeoutError') }),
  ServiceUnknown: new BandmasterError('ServiceUnknown', { service: 'ghost', detail: 'register it first, or check the name' }),
  ServiceNotStarted: new BandmasterError('ServiceNotStarted', { service: 'db', detail: 'it is idle' }),
  MetadataMissing: new BandmasterError('MetadataMissing', { service: 'Repo', detail: 'enable emitDecoratorMetadata' }),
  InvalidConfig: new BandmasterError('InvalidConfig', { service: 'RD', detail: '  - RD_PORT="x": must be a number', variables: ['RD_PORT'] }),
  InvalidDefinition: new BandmasterError('InvalidDefinition', { service: 'x', detail: '`retries` must be an integer >= 0, got -1' }),
  InvalidArgument: new BandmasterError('InvalidArgument', { service: 'startAll()', detail: 'timeout must be a number of ms >= 0 (Infinity for none), got "5s"' }),
  ScopeMismatch: new BandmasterError('ScopeMismatch', { service: 'Reports', dependency: 'RequestContext', detail: 'make it scoped' }),
};

describe('BandmasterError', () => {
  it('renders the message of every kind, naming the service and the cause', () => {
    const messages = Object.fromEntries(Object.entries(EXAMPLES).map(([kind, error]) => [kind, error.message]));
    assert.deepEqual(messages, {
      ServiceAlreadyExists: '`A`: service already exists (pick another name)',
      ServiceWithoutDecorator: '`Plain`: class is not decorated with @Service() (add @Service())',
      ServiceDependsOnItself: '`X`: service depends on its own self',
      ServiceDuplicateDependency: '`X`: service has duplicate dependency `B`',
      DependencyMissing: '`C`: no such dependency: `D` (register a service under that name)',
      DependencyCircular: '`A`: circular dependencies: A -> D -> B -> A',
      DependencyUnavailable: '`repo`: dependency `mc-x` failed to start: connect ECONNREFUSED 127.0.0.1:11211',
      ParentUnavailable: '`db`: parent `api` failed to stop: flush failed',
      ServiceStartFailure: '`mc-x`: service failed to start: connect ECONNREFUSED 127.0.0.1:11211',
      ServiceStopFailure: '`mc-x`: service failed to stop: `mc-x` stop attempt timed out after 10ms',
      ServiceUnknown: '`ghost`: no such service is registered (register it first, or check the name)',
      ServiceNotStarted: '`db`: service is not started (it is idle)',
      MetadataMissing: '`Repo`: constructor parameter types are unknown (enable emitDecoratorMetadata)',
      InvalidConfig: '`RD`: invalid configuration:\n  - RD_PORT="x": must be a number',
      InvalidDefinition: '`x`: invalid definition (`retries` must be an integer >= 0, got -1)',
      InvalidArgument: 'invalid argument to startAll(): timeout must be a number of ms >= 0 (Infinity for none), got "5s"',
      ScopeMismatch: '`Reports`: singleton depends on `RequestContext`, which only a scope has (make it scoped)',
    });
    const summary = new BootError([EXAMPLES.DependencyMissing, EXAMPLES.DependencyCircular], new LifecycleReport([], [], 0));
    assert.equal(summary.message, 'boot failed (2 errors):\n  - `C`: no such dependency: `D` (register a service under that name)\n  - `A`: circular dependencies: A -> D -> B -> A');
    const many = new ShutdownError(Array.from({ length: 12 }, () => EXAMPLES.ServiceStopFailure), new LifecycleReport([], [], 0));
    assert.equal(many.message.split('\n').at(-1), '  - ...and 2 more');
  });

  it('keeps kind, structured fields and the standard cause', () => {
    const error = EXAMPLES.ServiceStartFailure;
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'BandmasterError');
    assert.deepEqual([error.kind, error.service, error.attempts, error.cause], ['ServiceStartFailure', 'mc-x', 3, refused]);
    assert.deepEqual(EXAMPLES.DependencyCircular.cycle, ['A', 'D', 'B', 'A']);
    assert.equal(EXAMPLES.ParentUnavailable.parent, 'api');
    assert.deepEqual(EXAMPLES.InvalidConfig.variables, ['RD_PORT']);
    assert.equal('cause' in EXAMPLES.ServiceDependsOnItself, false);
  });

  it('is recognised by isBandmasterError, by kind too', () => {
    assert.equal(isBandmasterError(EXAMPLES.DependencyMissing), true);
    assert.equal(isBandmasterError(EXAMPLES.DependencyMissing, 'DependencyMissing'), true);
    assert.equal(isBandmasterError(EXAMPLES.DependencyMissing, 'DependencyCircular'), false);
    assert.equal(isBandmasterError(new Error('plain')), false);
  });

  it('renders causes that are not errors without losing them', () => {
    assert.equal(new BandmasterError('ServiceStartFailure', { service: 's', cause: 'a string' }).message, '`s`: service failed to start: a string');
    assert.equal(new BandmasterError('ServiceStartFailure', { service: 's', cause: { code: 42 } }).message, '`s`: service failed to start: {"code":42}');
    assert.equal(new BandmasterError('ServiceStartFailure', { service: 's', cause: new AggregateError([new Error('a'), new Error('b')]) }).message, '`s`: service failed to start: a; b');
  });
});

describe('bounded messages', () => {
  it('name the root cause of a chain once, show a long cycle by its ends, and name a wrong argument', () => {
    const root = new BandmasterError('ServiceStartFailure', { service: 'mc-2', cause: refused });
    const first = new BandmasterError('DependencyUnavailable', { service: 'rd-1', dependency: 'mc-2', cause: root });
    const second = new BandmasterError('DependencyUnavailable', { service: 'mc-1', dependency: 'rd-1', cause: first });
    assert.equal(second.message, '`mc-1`: dependency `rd-1` unavailable (root cause: `mc-2`: service failed to start: connect ECONNREFUSED 127.0.0.1:11211)');
    assert.equal(second.rootCause, root);
    const cycle = [...Array.from({ length: 100 }, (_, i) => `s${i}`), 's0'];
    assert.equal(
      new BandmasterError('DependencyCircular', { service: 's0', cycle }).message,
      '`s0`: circular dependencies: s0 -> s1 -> s2 -> s3 -> s4 -> s5 -> s6 -> s7 -> s8 -> s9 -> …87 more… -> s97 -> s98 -> s99 -> s0 (100 services)',
    );
    assert.equal(new BandmasterError('InvalidArgument', { service: 'get()', argument: 'token', detail: 'got null' }).message, 'invalid argument `token` to get(): got null');
  });
});

describe('BootError and ShutdownError', () => {
  it('are AggregateErrors of BandmasterErrors that carry the report', () => {
    const report = new LifecycleReport([], [EXAMPLES.ServiceStartFailure], 12);
    const boot = new BootError([EXAMPLES.ServiceStartFailure], report);
    const shutdown = new ShutdownError([EXAMPLES.ServiceStopFailure], report);
    assert.ok(boot instanceof AggregateError && shutdown instanceof AggregateError);
    assert.deepEqual([boot.name, shutdown.name], ['BootError', 'ShutdownError']);
    assert.deepEqual(boot.errors, [EXAMPLES.ServiceStartFailure]);
    assert.equal(boot.report, report);
  });
});
