import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BootError, Container } from 'bandmaster';
import { Clock, GREETINGS, Greeter } from '../app/greeter';

describe('Greeter (Jest + @swc/jest)', () => {
  let container: Container;

  beforeEach(() => {
    container = new Container({ logger: false });
    container.scan(Greeter).override(GREETINGS, { useValue: { get: async () => 'hola' } });
  });

  afterEach(() => container.stopAll());

  it('starts with its dependencies injected from decorator metadata', async () => {
    await container.startAll();
    const greeter = container.resolve(Greeter);
    expect(greeter.greet('Ada')).toBe('hola, Ada');
    expect(greeter.clock).toBeInstanceOf(Clock);
  });

  it('fails the boot when the store never answers', async () => {
    container.override(GREETINGS, { useValue: { get: () => Promise.reject(new Error('store down')) } });
    const boot = container.startAll();
    await expect(boot).rejects.toBeInstanceOf(BootError);
    const error = (await boot.catch((e: unknown) => e)) as BootError;
    expect(error.errors.map((e) => [e.kind, e.service])).toEqual([['ServiceStartFailure', 'Greeter']]);
    expect(error.report.services.find((s) => s.name === 'Greeter')?.attempts).toBe(3);
  });
});
