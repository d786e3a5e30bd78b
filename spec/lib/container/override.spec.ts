import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Inject, Service, type OnStart, type OnStop } from '../../../lib';
import { isError } from '../../support/errors';

interface Mailer {
  send(to: string): string;
}

@Service({ name: 'mailer' })
class SmtpMailer implements Mailer, OnStart {
  onStart(): Promise<void> {
    return Promise.reject(new Error('no SMTP server in tests'));
  }
  send(to: string): string {
    return `smtp:${to}`;
  }
}

@Service()
class Signup {
  constructor(@Inject('mailer') readonly mailer: Mailer) {}
}

describe('Container', () => {
  describe('override', () => {
    it('replaces a registered service with a value, injected into its dependents', async () => {
      const fake: Mailer = { send: (to) => `fake:${to}` };
      const container = new Container({ logger: false });
      container.register(SmtpMailer, Signup);
      container.override('mailer', { useValue: fake });
      await container.startAll();
      assert.equal(container.resolve(Signup).mailer, fake);
      assert.equal(container.resolve(SmtpMailer), fake);
      assert.deepEqual(container.status().map((s) => s.name), ['mailer', 'Signup']);
    });

    it('does not start or stop a useValue or useFactory mock that has onStart and onStop methods', async () => {
      const calls: string[] = [];
      const mock = { onStart: () => calls.push('value onStart'), onStop: () => calls.push('value onStop'), send: (to: string) => to };
      const container = new Container({ logger: false });
      container.register(SmtpMailer, { name: 'queue', useValue: 'real queue' });
      container.override(SmtpMailer, { useValue: mock as unknown as SmtpMailer });
      container.override('queue', { useFactory: () => ({ onStart: () => calls.push('factory onStart'), onStop: () => calls.push('factory onStop') }) });
      await container.startAll();
      await container.stopAll();
      assert.deepEqual(calls, []);
    });

    it('replaces a service with a factory that has its own dependencies', async () => {
      const container = new Container({ logger: false });
      container.register(SmtpMailer, Signup, { name: 'prefix', useValue: 'test' });
      container.override('mailer', { useFactory: (prefix: string): Mailer => ({ send: (to) => `${prefix}:${to}` }), deps: ['prefix'] });
      await container.startAll();
      assert.equal(container.resolve(Signup).mailer.send('ada'), 'test:ada');
    });

    it('replaces a service with a class, whose hooks run even without @Service', async () => {
      const calls: string[] = [];
      class RecordingMailer implements Mailer, OnStart, OnStop {
        onStart(): void {
          calls.push('start');
        }
        onStop(): void {
          calls.push('stop');
        }
        send(to: string): string {
          return `recorded:${to}`;
        }
      }
      const container = new Container({ logger: false });
      container.register(SmtpMailer, Signup);
      container.override('mailer', { useClass: RecordingMailer });
      await container.startAll();
      assert.ok(container.resolve(Signup).mailer instanceof RecordingMailer);
      await container.stopAll();
      assert.deepEqual(calls, ['start', 'stop']);
    });

    it('registers a token that was not registered yet', async () => {
      @Service()
      class Payments {}
      const container = new Container({ logger: false });
      container.override(Payments, { useValue: { fake: true } });
      await container.startAll();
      assert.deepEqual(container.resolve(Payments), { fake: true });
      assert.deepEqual(container.status().map((s) => s.name), ['Payments']);
    });

    it('keeps the service required unless the override says otherwise', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'cache', useValue: 1, required: false }, { name: 'db', useValue: 2 });
      container.override('cache', { useFactory: () => Promise.reject(new Error('down')) });
      container.override('db', { useFactory: () => Promise.reject(new Error('down')), required: false });
      const report = await container.startAll();
      assert.deepEqual(report.services.map((s) => [s.name, s.state, s.required]), [['cache', 'failed', false], ['db', 'failed', false]]);
    });

    it('throws InvalidDefinition for a started service, and works again after stopAll', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useValue: 'real' });
      await container.startAll();
      assert.throws(() => container.override('db', { useValue: 'fake' }), isError({ kind: 'InvalidDefinition', service: 'db' }));
      assert.equal(container.resolve('db'), 'real');
      await container.stopAll();
      container.override('db', { useValue: 'fake' });
      await container.startAll();
      assert.equal(container.resolve('db'), 'fake');
    });
  });

  describe('hooks', () => {
    it('calls onStart, onStop and healthCheck of @Service instances with an AbortSignal', async () => {
      const seen: [string, boolean][] = [];
      @Service()
      class Db {
        onStart(signal: AbortSignal): void {
          seen.push(['start', signal instanceof AbortSignal]);
        }
        healthCheck(signal: AbortSignal): void {
          seen.push(['health', signal instanceof AbortSignal]);
        }
        onStop(signal: AbortSignal): void {
          seen.push(['stop', signal instanceof AbortSignal]);
        }
      }
      const container = new Container({ logger: false });
      container.register(Db);
      await container.startAll();
      await container.health();
      await container.stopAll();
      assert.deepEqual(seen, [['start', true], ['health', true], ['stop', true]]);
    });

    it('calls the hooks of a plain definition with the instance and a signal', async () => {
      const seen: unknown[] = [];
      const client = { connected: false };
      const container = new Container({ logger: false });
      container.register({
        name: 'client',
        useFactory: () => client,
        onStart: (c, signal) => seen.push(['start', c === client, signal.aborted]),
        healthCheck: (c) => seen.push(['health', c === client]),
        onStop: (c, signal) => seen.push(['stop', c === client, signal.aborted]),
      });
      await container.startAll();
      await container.health();
      await container.stopAll();
      assert.deepEqual(seen, [['start', true, false], ['health', true], ['stop', true, false]]);
    });

    it('runs the hooks of a definition instead of the instance methods for useClass', async () => {
      const seen: string[] = [];
      @Service()
      class Worker {
        onStart(): void {
          seen.push('instance onStart');
        }
      }
      const container = new Container({ logger: false });
      container.register({ name: 'worker', useClass: Worker, onStart: () => seen.push('definition onStart') });
      await container.startAll();
      assert.deepEqual(seen, ['definition onStart']);
      assert.ok(container.resolve('worker') instanceof Worker);
    });
  });
});
