import { describeSafely } from '../lifecycle/outcome';
import { callHook, hasHook } from '../lifecycle/hooks';
import { STARTED, type NodeTable, type ServiceNode } from '../lifecycle/node';
import { deadline, raceAbort } from '../lifecycle/retry';

/** Options of a {@link HealthPoll}. */
export interface HealthPollOptions {
  /** Between the end of one round of checks and the next, in ms. */
  readonly interval: number;
  /** Consecutive failures that mark a service lost, unless its own `healthFailures` says otherwise. */
  readonly failures: number;
  /** Time limit of each check, in ms. */
  readonly timeout: number;
}

/**
 * Polls the health checks of the started services: one unref'd timer per container, one round
 * of checks at a time (the next is armed when the last check of a round settled), disarmed as
 * soon as a round finds no started service with a check (armed again by the next boot).
 */
export class HealthPoll {
  readonly #options: HealthPollOptions;
  readonly #table: () => NodeTable;
  readonly #lose: (node: ServiceNode, error: unknown, instance: unknown) => void;
  /** Consecutive failures of each service's current instance. */
  readonly #failures = new Map<ServiceNode, { instance: unknown; count: number }>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polling = false;
  #stopped = false;
  /** Rounds run so far (for tests and the bench). */
  rounds = 0;

  constructor(options: HealthPollOptions, table: () => NodeTable, lose: (node: ServiceNode, error: unknown, instance: unknown) => void) {
    this.#options = options;
    this.#table = table;
    this.#lose = lose;
  }

  /** Arms the timer, unless it is armed or a round runs. */
  arm(): void {
    this.#stopped = false;
    if (this.#timer !== undefined || this.#polling) return;
    this.#timer = setTimeout(() => void this.#round(), this.#options.interval);
    this.#timer.unref?.();
  }

  /** Disarms it (stopAll). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#failures.clear();
  }

  async #round(): Promise<void> {
    this.#timer = undefined;
    const checked: ServiceNode[] = [];
    const { nodes, state } = this.#table();
    for (let i = 0; i < nodes.length; i++) {
      if (state[i] === STARTED && hasHook(nodes[i]!, 'healthCheck', nodes[i]!.instance)) checked.push(nodes[i]!);
    }
    if (checked.length === 0) return;
    this.#polling = true;
    this.rounds++;
    await Promise.all(checked.map((node) => this.#check(node)));
    this.#polling = false;
    if (!this.#stopped) this.arm();
  }

  async #check(node: ServiceNode): Promise<void> {
    const instance = node.instance;
    const limit = deadline(undefined, this.#options.timeout, `\`${node.name}\` health check`);
    let error: unknown;
    try {
      await raceAbort(Promise.resolve().then(() => callHook(node, 'healthCheck', instance, limit.signal)), limit.signal);
    } catch (err) {
      error = err ?? new Error(describeSafely(err));
    } finally {
      limit.dispose();
    }
    const entry = this.#failures.get(node);
    if (error === undefined) {
      if (entry) this.#failures.delete(node);
      return;
    }
    const count = entry && entry.instance === instance ? entry.count + 1 : 1;
    this.#failures.set(node, { instance, count });
    if (count >= (node.spec.healthFailures ?? this.#options.failures)) {
      this.#failures.delete(node);
      this.#lose(node, error, instance);
    }
  }
}
