// The metadata-free form: runs under tsx (`tsx --test`) and plain esbuild, which do not emit
// decorator metadata. Dependencies are listed in constructor order with `inject`.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, DependsOn, Service, token, type OnStart } from 'bandmaster';

interface GreetingStore {
  get(language: string): Promise<string | undefined>;
}
const GREETINGS = token<GreetingStore>('greetings');

@Service()
class Clock {
  now(): Date {
    return new Date();
  }
}

@Service({ name: 'migrations' })
class Migrations implements OnStart {
  ran = false;
  onStart(): void {
    this.ran = true;
  }
}

@Service({ inject: [GREETINGS, Clock] })
@DependsOn(Migrations)
class Greeter implements OnStart {
  #greeting = '';

  constructor(
    private readonly store: GreetingStore,
    readonly clock: Clock,
  ) {}

  async onStart(): Promise<void> {
    this.#greeting = (await this.store.get('en')) ?? 'hello';
  }

  greet(name: string): string {
    return `${this.#greeting}, ${name}`;
  }
}

describe('Greeter (inject list, no decorator metadata)', () => {
  it('starts with the listed dependencies, after its start-order dependency', async () => {
    const container = new Container({ logger: false });
    container.scan(Greeter).override(GREETINGS, { useValue: { get: async () => 'ciao' } });
    await container.startAll();
    const greeter = container.resolve(Greeter);
    assert.equal(greeter.greet('Ada'), 'ciao, Ada');
    assert.ok(greeter.clock instanceof Clock);
    assert.equal(container.resolve(Migrations).ran, true);
    await container.stopAll();
  });

  it('was compiled without decorator metadata', () => {
    assert.equal(Reflect.getMetadata('design:paramtypes', Greeter), undefined);
  });
});
