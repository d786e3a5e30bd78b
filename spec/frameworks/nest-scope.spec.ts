// bandmaster/nest in an HTTP application (Nest's Express platform, the real local PostgreSQL):
// every request gets its own request scope, disposed once the response is over; and a bandmaster
// service asking for a Nest provider fails Nest's init with an error naming both and the fix.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import { BootError, Container, Inject, Service, isBandmasterError } from 'bandmaster';
import { BandmasterModule } from 'bandmaster/nest';
import { Repo, scopedDb, stoppedAtLeast, type Tally } from './request-scope-fixture';

type NestCommon = typeof import('@nestjs/common', { with: { 'resolution-mode': 'import' } });
type NestCore = typeof import('@nestjs/core', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nest = require('@nestjs/common') as NestCommon;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NestFactory } = require('@nestjs/core') as NestCore;

@nest.Controller()
class RepoController {
  @nest.Get('whoami')
  async whoami(@nest.Req() req: Request): Promise<{ pid: number; path: string; same: boolean }> {
    const repo = await req.scope.resolve(Repo);
    return { ...(await repo.whoami()), same: repo === (await req.scope.resolve(Repo)) };
  }

  @nest.Get('plain')
  plain(): { ok: boolean } {
    return { ok: true };
  }
}

/** A Nest provider, and a bandmaster service that (wrongly) asks for it and for a Nest string token. */
@nest.Injectable()
class Settings {
  readonly from = 'nest';
}

@Service()
class Mailer {
  constructor(
    readonly settings: Settings,
    @Inject('nest-flag') readonly flag: boolean,
  ) {}
}

function bootErrorOf(promise: Promise<unknown>): Promise<BootError> {
  return promise.then(
    () => assert.fail('Nest init resolved'),
    (e: unknown) => (assert.ok(e instanceof BootError, String(e)), e),
  );
}

describe('bandmaster/nest request scopes and Nest providers', () => {
  it('gives every HTTP request its own request scope, disposed once its response is over', async () => {
    const tally: Tally = { started: [], stopped: [] };
    const container = scopedDb(tally);
    @nest.Module({ imports: [BandmasterModule.forRoot({ container, services: [] })], controllers: [RepoController] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const first = (await (await fetch(`${url}/whoami?a=1`)).json()) as { pid: number; path: string; same: boolean };
      const second = (await (await fetch(`${url}/whoami?a=2`)).json()) as { pid: number; path: string; same: boolean };
      assert.deepEqual([first.path, second.path, first.same, second.same], ['/whoami?a=1', '/whoami?a=2', true, true]);
      assert.ok(first.pid > 0 && second.pid > 0, 'each scope borrowed a PostgreSQL client');
      await stoppedAtLeast(tally, 2);
      assert.deepEqual(tally.stopped, ['/whoami?a=1', '/whoami?a=2'], 'each request scope disposed once, after its response');
      assert.deepEqual(await (await fetch(`${url}/plain`)).json(), { ok: true });
      assert.equal(tally.started.length, 2, 'a route that never reads req.scope opens none');
    } finally {
      await app.close();
    }
    assert.ok(container.status().every((s) => s.state === 'stopped'));
  });

  it('fails Nest init with InvalidDefinition naming the bandmaster service, the Nest provider and the fix', async () => {
    const container = new Container({ logger: false });
    container.register(Mailer);
    @nest.Module({
      imports: [BandmasterModule.forRoot({ container, services: [Mailer] })],
      providers: [Settings, { provide: 'nest-flag', useValue: true }],
    })
    class AppModule {}
    const err = await bootErrorOf(NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false }));
    const refused = err.errors.map((e) => [e.kind, e.service, e.dependency]);
    assert.deepEqual(refused, [
      ['InvalidDefinition', 'Mailer', 'Settings'],
      ['InvalidDefinition', 'Mailer', 'nest-flag'],
    ]);
    assert.ok(err.errors[0]!.message.includes('which only NestJS provides') && err.errors[0]!.message.includes('forRootAsync({ inject: [Settings]'), err.errors[0]!.message);
    assert.ok(container.status().every((s) => s.state === 'idle'), 'nothing was started');
  });

  it('keeps DependencyMissing for a dependency that neither bandmaster nor Nest provides', async () => {
    const container = new Container({ logger: false });
    container.register(Mailer);
    @nest.Module({ imports: [BandmasterModule.forRoot({ container, services: [Mailer] })], providers: [Settings] })
    class AppModule {}
    const err = await bootErrorOf(NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false }));
    assert.deepEqual(err.errors.map((e) => [e.kind, e.dependency]), [
      ['InvalidDefinition', 'Settings'],
      ['DependencyMissing', 'nest-flag'],
    ]);
    assert.ok(err.errors.every((e) => isBandmasterError(e)));
  });

  it('lets forRootAsync give a Nest provider to the container, which is sound: Nest builds it before the boot', async () => {
    const container = new Container({ logger: false });
    container.register(Mailer);
    @nest.Module({ providers: [Settings, { provide: 'nest-flag', useValue: true }], exports: [Settings, 'nest-flag'] })
    class SettingsModule {}
    const module = BandmasterModule.forRootAsync({
      imports: [SettingsModule],
      inject: [Settings, 'nest-flag'],
      useFactory: (settings: Settings, flag: boolean) => {
        container.register({ name: Settings, useValue: settings }, { name: 'nest-flag', useValue: flag });
        return { container };
      },
      services: [Mailer],
    });
    @nest.Module({ imports: [module] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const mailer = app.get(Mailer);
    assert.equal(mailer.settings, app.get(Settings));
    assert.deepEqual([mailer.settings.from, mailer.flag], ['nest', true]);
    await app.close();
  });
});
