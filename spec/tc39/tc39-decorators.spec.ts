// Compiled without experimentalDecorators: @Service and @DependsOn run as TC39 standard decorators,
// and dependencies come from the `inject` list since there is no design:paramtypes.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, Container, DependsOn, Service, optional } from '../../lib';

@Service({ name: 'clock' })
class Clock {
  now(): number {
    return 42;
  }
}

@Service({ name: 'migrations' })
class Migrations {
  ran = false;
  onStart(): void {
    this.ran = true;
  }
}

@Service({ inject: [Clock, 'config'] })
@DependsOn('migrations')
class Reports {
  constructor(
    readonly clock: Clock,
    readonly config: { region: string },
  ) {}
}

@Service({ inject: [Clock, optional('audit'), optional('broken')] })
class Audited {
  constructor(
    readonly clock: Clock,
    readonly audit?: unknown,
    readonly broken?: unknown,
  ) {}
}

@Service()
class Undeclared {
  constructor(readonly clock: Clock) {}
}

describe('TC39 standard decorators', () => {
  it('registers, injects from the inject list and orders by @DependsOn', async () => {
    const container = new Container({ logger: false });
    container.register(Clock, Migrations, Reports, { name: 'config', useValue: { region: 'eu' } });
    await container.startAll();
    const reports = container.resolve(Reports);
    assert.equal(reports.clock.now(), 42);
    assert.equal(reports.config.region, 'eu');
    assert.equal(container.resolve(Migrations).ran, true);
    assert.deepEqual(container.graph().edges.map((e) => [e.from, e.to, e.injected]), [
      ['Reports', 'clock', true],
      ['Reports', 'config', true],
      ['Reports', 'migrations', false],
    ]);
    await container.stopAll();
  });

  it('explains the two fixes when constructor parameter types are unknown', () => {
    const container = new Container({ logger: false });
    assert.throws(
      () => container.register(Undeclared),
      (e: unknown) => e instanceof BandmasterError && e.kind === 'MetadataMissing' && e.service === 'Undeclared' && /emitDecoratorMetadata/.test(e.detail ?? '') && /inject: \[/.test(e.detail ?? ''),
    );
  });

  it('injects undefined for an optional(token) entry of the inject list that is missing or failed', async () => {
    const container = new Container({ logger: false });
    const broken = {
      name: 'broken',
      required: false,
      useFactory: (): never => {
        throw new Error('down');
      },
    };
    container.register(Clock, Audited, broken);
    const report = await container.startAll();
    const audited = container.resolve(Audited);
    assert.equal(audited.clock.now(), 42);
    assert.equal(audited.audit, undefined);
    assert.equal(audited.broken, undefined);
    assert.equal(report.services.find((s) => s.name === 'Audited')?.state, 'started');
    assert.deepEqual(container.graph().edges.filter((e) => e.from === 'Audited').map((e) => [e.to, e.optional]), [
      ['clock', false],
      ['audit', true],
      ['broken', true],
    ]);
    await container.stopAll();
  });
});
