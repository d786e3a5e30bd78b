/**
 * Services whose last dependency (start) or dependent (stop) settled, launched in order by one
 * loop. A try that settles synchronously queues its neighbours here instead of launching them
 * from inside its own settle, so a chain of synchronous services is a loop, never a recursion.
 */
export class ReadyQueue<T> {
  readonly #items: T[] = [];
  #draining = false;

  /** `launch(item, now)` is called for each queued item; it checks that the item is still ready. */
  constructor(private readonly launch: (item: T, now: number) => void) {}

  push(item: T): void {
    this.#items.push(item);
  }

  /** Launches the queued items, as of `now`, unless a drain already runs (it takes them too). */
  drain(now: number): void {
    if (this.#draining) return;
    this.#draining = true;
    const items = this.#items;
    try {
      for (let h = 0; h < items.length; h++) this.launch(items[h]!, now);
    } finally {
      items.length = 0;
      this.#draining = false;
    }
  }
}
