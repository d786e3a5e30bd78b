// The application code the runner samples test: two @Service classes whose constructor
// dependencies come from decorator metadata (design:paramtypes) and an @Inject token. It only
// runs where the compiler emits that metadata: tsc, or SWC with decoratorMetadata on.
import { Inject, Service, token, type OnStart } from 'bandmaster';

/** Where greetings come from: a database in production, a fake in tests. */
export interface GreetingStore {
  get(language: string): Promise<string | undefined>;
}

/** The token the store is registered under. */
export const GREETINGS = token<GreetingStore>('greetings');

@Service()
export class Clock {
  now(): Date {
    return new Date();
  }
}

@Service({ retries: 2, backoff: 10 })
export class Greeter implements OnStart {
  #greeting = '';

  constructor(
    @Inject(GREETINGS) private readonly store: GreetingStore,
    readonly clock: Clock,
  ) {}

  async onStart(): Promise<void> {
    this.#greeting = (await this.store.get('en')) ?? 'hello';
  }

  greet(name: string): string {
    return `${this.#greeting}, ${name}`;
  }
}
