import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, Inject, Service, isBandmasterError } from 'bandmaster';
import { BandmasterModule } from 'bandmaster/nest';

// NestJS 12 is ESM-only: this CommonJS spec loads it through require(esm), as a CommonJS
// application does (Node 20.19+, 22.12+).
type NestCommon = typeof import('@nestjs/common', { with: { 'resolution-mode': 'import' } });
type NestCore = typeof import('@nestjs/core', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nest = require('@nestjs/common') as NestCommon;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NestFactory } = require('@nestjs/core') as NestCore;

/** A bandmaster service class, with its lifecycle recorded. */
@Service()
class Users {
  readonly names: string[] = [];
  constructor(@Inject('log') private readonly log: string[]) {}
  async onStart(): Promise<void> {
    await new Promise((r) => setTimeout(r, 20));
    this.names.push('ada');
    this.log.push('Users:start');
  }
  async onStop(): Promise<void> {
    this.log.push('Users:stop');
  }
}

function appContainer(log: string[], options: { failClock?: boolean } = {}): Container {
  const container = new Container({ logger: false });
  container.register(
    { name: 'log', useValue: log },
    Users,
    {
      name: 'clock',
      useFactory: async () => {
        log.push('clock:start');
        if (options.failClock) throw new Error('clock unreachable');
        return { now: () => 42 };
      },
    },
  );
  return container;
}

/** A Nest provider using bandmaster services by class and by name, in its onModuleInit. */
@nest.Injectable()
class Greeter {
  seenInInit: { names: string[]; now: number } | undefined;
  constructor(
    readonly users: Users,
    @nest.Inject('clock') readonly clock: { now(): number },
    readonly container: Container,
  ) {}
  onModuleInit(): void {
    this.seenInInit = { names: [...this.users.names], now: this.clock.now() };
  }
}

function appModule(imported: ReturnType<typeof BandmasterModule.forRoot>): new () => object {
  @nest.Module({ imports: [imported], providers: [Greeter] })
  class AppModule {}
  return AppModule;
}

describe('bandmaster/nest', () => {
  it('boots the container during Nest init, before onModuleInit, and injects services by class and by name', async () => {
    const log: string[] = [];
    const container = appContainer(log);
    const app = await NestFactory.createApplicationContext(appModule(BandmasterModule.forRoot({ container, services: [Users, 'clock'] })), { logger: false });
    const greeter = app.get(Greeter);
    assert.deepEqual(greeter.seenInInit, { names: ['ada'], now: 42 });
    assert.equal(greeter.users, container.resolve(Users));
    assert.equal(greeter.container, container);
    assert.deepEqual([...log].sort(), ['Users:start', 'clock:start']);
    await app.close();
    assert.ok(log.includes('Users:stop'), log.join());
    assert.ok(container.status().every((s) => s.state === 'stopped'));
  });

  it('rejects Nest init with the BootError when a required service fails', async () => {
    const container = appContainer([], { failClock: true });
    const err = await NestFactory.createApplicationContext(appModule(BandmasterModule.forRoot({ container, services: [Users, 'clock'] })), { logger: false, abortOnError: false }).then(
      () => assert.fail('init resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof BootError, String(err));
    const failed = err.errors.find((e) => isBandmasterError(e) && e.service === 'clock');
    assert.ok(failed && isBandmasterError(failed));
    assert.equal(failed.kind, 'ServiceStartFailure');
    await container.stopAll();
  });

  it('does not boot again a container that is already started', async () => {
    const log: string[] = [];
    const container = appContainer(log);
    await container.startAll();
    const app = await NestFactory.createApplicationContext(appModule(BandmasterModule.forRoot({ container, services: [Users, 'clock'] })), { logger: false });
    assert.equal(log.filter((l) => l === 'clock:start').length, 1);
    await app.close();
    assert.ok(log.includes('Users:stop'));
  });

  it('forRootAsync builds the container from a Nest factory with injected providers', async () => {
    const log: string[] = [];
    const CONFIG = Symbol('config');
    @nest.Module({ providers: [{ provide: CONFIG, useValue: { prefix: 'x' } }], exports: [CONFIG] })
    class ConfigModule {}
    const module = BandmasterModule.forRootAsync({
      imports: [ConfigModule],
      inject: [CONFIG],
      useFactory: async (config: { prefix: string }) => {
        log.push(`config:${config.prefix}`);
        return { container: appContainer(log), stopTimeout: 5_000 };
      },
      services: [Users, 'clock'],
    });
    const app = await NestFactory.createApplicationContext(appModule(module), { logger: false });
    assert.deepEqual(app.get(Greeter).seenInInit, { names: ['ada'], now: 42 });
    assert.equal(log[0], 'config:x');
    await app.close();
    assert.ok(log.includes('Users:stop'));
  });

  it('rejects a missing container and a bad services list with InvalidArgument', () => {
    const kinds = [
      () => BandmasterModule.forRoot({ container: {} as Container, services: [] }),
      () => BandmasterModule.forRoot({ container: new Container({ logger: false }), services: 'Users' as never }),
      () => BandmasterModule.forRoot({ container: new Container({ logger: false }), services: [42 as never] }),
      () => BandmasterModule.forRootAsync({ services: [] } as never),
    ].map((build) => {
      try {
        build();
        return 'no error';
      } catch (e) {
        return isBandmasterError(e) ? e.kind : String(e);
      }
    });
    assert.deepEqual(kinds, ['InvalidArgument', 'InvalidArgument', 'InvalidArgument', 'InvalidArgument']);
  });
});
