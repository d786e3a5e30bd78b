/**
 * Services whose last dependency (start) or dependent (stop) settled, launched in order by one
 * loop. A try that settles synchronously queues its neighbours here instead of launching them
 * from inside its own settle, so a chain of synchronous services is a loop, never a recursion.
 */
export class ReadyQueue<T> {
  // slots are reused rather than the array cut to length 0, which drops its backing store for the
  // next push (one per settled service) to allocate again
  readonly #items: (T | undefined)[] = [];
  #size = 0;
  #draining = false;

  /** `launch(item, now)` is called for each queued item; it checks that the item is still ready. */
  constructor(private readonly launch: (item: T, now: number) => void) {}

  push(item: T): void {
    this.#items[this.#size++] = item;
  }

  /** Launches the queued items, as of `now`, unless a drain already runs (it takes them too). */
  drain(now: number): void {
    if (this.#draining) return;
    this.#draining = true;
    const items = this.#items;
    try {
      for (let h = 0; h < this.#size; h++) {
        const item = items[h] as T;
        items[h] = undefined;
        this.launch(item, now);
      }
    } finally {
      this.#size = 0;
      this.#draining = false;
    }
  }
}
