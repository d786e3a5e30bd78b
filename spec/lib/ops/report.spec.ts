import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Container, LifecycleReport, token } from '../../../lib';
import { turns } from '../../support/deferred';
import { bootError } from '../../support/errors';
import { FakeClock } from '../../support/fake-clock';

/** db (30ms), api after db (20ms), and an optional search that fails: times from a fake clock. */
function registerShop(container: Container, clock: FakeClock, searchRequired = false): void {
  container.register(
    { name: 'db', useFactory: () => ({}), onStart: async () => (await turns(1), clock.advance(30)) },
    { name: 'api', useFactory: () => ({}), deps: ['db'], onStart: async () => (await turns(1), clock.advance(20)) },
    { name: 'search', required: searchRequired, useFactory: () => ({}), onStart: () => Promise.reject(new Error('no route to host')) },
  );
}

describe('LifecycleReport', () => {
  it('is what startAll resolves to: every service with state, requirement, attempts and timings, the errors, the duration', async () => {
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    registerShop(container, clock);
    const report = await container.startAll();
    assert.ok(report instanceof LifecycleReport);
    assert.deepEqual(
      report.services.map(({ error, ...rest }) => ({ ...rest, error: error?.kind })),
      [
        { name: 'db', state: 'started', required: true, attempts: 1, waitedMs: 0, durationMs: 30, error: undefined },
        { name: 'api', state: 'started', required: true, attempts: 1, waitedMs: 30, durationMs: 20, error: undefined },
        { name: 'search', state: 'failed', required: false, attempts: 1, waitedMs: 0, durationMs: 0, error: 'ServiceStartFailure' },
      ],
    );
    assert.deepEqual(report.errors.map((e) => [e.kind, e.service]), [['ServiceStartFailure', 'search']]);
    assert.equal(report.durationMs, 50);
  });

  it('renders as a table, one service per line', async () => {
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    registerShop(container, clock);
    const report = await container.startAll();
    assert.equal(
      report.toString(),
      [
        'service  state    required  attempts  waited  took  error',
        '-------  -------  --------  --------  ------  ----  ----------------',
        'db       started  yes       1         0ms     30ms',
        'api      started  yes       1         30ms    20ms',
        'search   failed   no        1         0ms     0ms   no route to host',
        '3 services, 1 error, 50ms',
      ].join('\n'),
    );
  });

  it('turns into plain JSON with errors as messages', async () => {
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    registerShop(container, clock);
    const report = await container.startAll();
    const json = JSON.parse(JSON.stringify(report)) as { durationMs: number; services: { name: string; error?: string }[]; errors: unknown[] };
    const message = report.errors[0]!.message;
    assert.equal(json.durationMs, 50);
    assert.deepEqual(json.services.map((s) => [s.name, s.error]), [['db', undefined], ['api', undefined], ['search', message]]);
    assert.deepEqual(json.errors, [{ kind: 'ServiceStartFailure', service: 'search', message }]);
  });

  it('rides on the BootError when a required service fails, with the same errors', async () => {
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    registerShop(container, clock, true);
    const error = await bootError(container.startAll());
    assert.deepEqual(error.errors, [...error.report.errors]);
    assert.deepEqual(error.report.services.map((s) => [s.name, s.state]), [['db', 'started'], ['api', 'started'], ['search', 'failed']]);
    assert.equal(error.report.durationMs, 50);
  });

  it('is what stopAll resolves to, with stop attempts and durations', async () => {
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    container.register({ name: 'db', useFactory: () => ({}), onStop: async () => (await turns(1), clock.advance(7)) });
    await container.startAll();
    const report = await container.stopAll();
    assert.deepEqual(report.services.map((s) => [s.name, s.state, s.attempts, s.durationMs]), [['db', 'stopped', 1, 7]]);
    assert.equal(report.durationMs, 7);
    assert.deepEqual(report.errors, []);
  });

  it('shows the services as they were when it was made, though it builds them when first read', async () => {
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    registerShop(container, clock);
    const boot = await container.startAll();
    // overrides and a shutdown after the boot change neither its states nor its requirements
    await container.stopAll();
    container.override('search', { useValue: {}, required: true });
    container.register({ name: 'late', useValue: 1 });
    assert.deepEqual(boot.services.map((s) => [s.name, s.state, s.required, s.attempts, s.durationMs]), [
      ['db', 'started', true, 1, 30],
      ['api', 'started', true, 1, 20],
      ['search', 'failed', false, 1, 0],
    ]);
    assert.equal(boot.services, boot.services, 'built once');
    assert.match(inspect(boot), /name: 'api'/);
  });
});

/** A tagged singleton, a plain one, and two on-demand services (one tagged): none of them fails. */
function registerScoped(container: Container): void {
  const PLUGIN = token('plugin');
  container.register(
    { name: 'db', useFactory: () => ({}) },
    { name: 'metrics', tags: [PLUGIN, 'http'], useFactory: () => ({}) },
    { name: 'RequestContext', scope: 'scoped', deps: ['db'], useFactory: () => ({}) },
    { name: 'Handler', scope: 'transient', tags: [PLUGIN], useFactory: () => ({}) },
  );
}

describe('LifecycleReport with scopes and tags', () => {
  it('lists transient and scoped services as on demand, with scope and tags, and keeps singletons without a state change', async () => {
    const container = new Container({ logger: false, clock: new FakeClock() });
    registerScoped(container);
    const report = await container.startAll();
    assert.deepEqual(report.services.map((s) => [s.name, s.state, s.tags]), [['db', 'started', undefined], ['metrics', 'started', ['plugin', 'http']]]);
    assert.equal('tags' in report.services[0]!, false, 'no tags field on a service without tags');
    assert.deepEqual(report.onDemand, [
      { name: 'RequestContext', scope: 'scoped', tags: [] },
      { name: 'Handler', scope: 'transient', tags: ['plugin'] },
    ]);
    assert.deepEqual(container.status().map((s) => [s.name, s.tags]), [['db', undefined], ['metrics', ['plugin', 'http']]]);
    const stop = await container.stopAll();
    assert.deepEqual(stop.onDemand.map((s) => s.name), ['RequestContext', 'Handler']);
  });

  it('renders a tags column when a service has tags, and the on-demand services in one line before the total', async () => {
    const container = new Container({ logger: false, clock: new FakeClock() });
    registerScoped(container);
    const report = await container.startAll();
    assert.equal(
      report.toString(),
      [
        'service  state    required  tags          attempts  waited  took  error',
        '-------  -------  --------  ------------  --------  ------  ----  -----',
        'db       started  yes                     1         0ms     0ms',
        'metrics  started  yes       plugin, http  1         0ms     0ms',
        'on demand: RequestContext (scoped), Handler (transient, tags: plugin)',
        '2 services, 0 errors, 0ms',
      ].join('\n'),
    );
  });

  it('bounds the on-demand line however many services there are', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ name: `Scoped${i}`, scope: 'scoped' as const, tags: [] }));
    const line = new LifecycleReport([], [], 0, many).toString().split('\n').find((l) => l.startsWith('on demand:'))!;
    assert.ok(line.length < 1_100, `${line.length} characters`);
    assert.match(line, /Scoped0 \(scoped\), .*more.*Scoped4999 \(scoped\)$/);
  });

  it('adds onDemand and tags to its JSON, keeping the fields it had', async () => {
    const container = new Container({ logger: false, clock: new FakeClock() });
    registerScoped(container);
    const json = JSON.parse(JSON.stringify(await container.startAll())) as { services: { name: string; tags?: string[] }[]; onDemand: unknown[] };
    assert.deepEqual(Object.keys(json).sort(), ['durationMs', 'errors', 'onDemand', 'services']);
    assert.deepEqual(json.services.map((s) => [s.name, s.tags]), [['db', undefined], ['metrics', ['plugin', 'http']]]);
    assert.deepEqual(json.onDemand, [{ name: 'RequestContext', scope: 'scoped', tags: [] }, { name: 'Handler', scope: 'transient', tags: ['plugin'] }]);
    assert.deepEqual(new LifecycleReport([], [], 1).onDemand, [], 'a report made by hand has none');
  });
});
