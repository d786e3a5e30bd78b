import 'reflect-metadata';
import { Container } from 'bandmaster';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock, GREETINGS, Greeter } from '../app/greeter';

describe('Greeter (Vitest + unplugin-swc)', () => {
  let container: Container;

  beforeEach(() => {
    container = new Container({ logger: false });
    container.scan(Greeter).override(GREETINGS, { useValue: { get: async () => 'bonjour' } });
  });

  afterEach(() => container.stopAll());

  it('starts with its dependencies injected from decorator metadata', async () => {
    await container.startAll();
    const greeter = container.resolve(Greeter);
    expect(greeter.greet('Ada')).toBe('bonjour, Ada');
    expect(greeter.clock).toBeInstanceOf(Clock);
  });

  it('retries a failing start', async () => {
    let calls = 0;
    container.override(GREETINGS, { useValue: { get: async () => (++calls < 3 ? Promise.reject(new Error('not yet')) : 'hi') } });
    const greeter = await container.start(Greeter); // Greeter and what it depends on
    expect(greeter.greet('Ada')).toBe('hi, Ada');
    expect(container.status().find((s) => s.name === 'Greeter')?.attempts).toBe(3);
  });
});
