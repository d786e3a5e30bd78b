import { describeSafely } from '../lifecycle/outcome';
import { callHook, hasHook } from '../lifecycle/hooks';
import { STARTED, type NodeTable, type ServiceNode } from '../lifecycle/node';
import { deadline, isThenable } from '../lifecycle/retry';

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
    await this.#checkAll(checked);
    this.#polling = false;
    if (!this.#stopped) this.arm();
  }

  /**
   * Runs the checks of one round under one time limit (they begin together, so it bounds each):
   * a synchronous check settles at once, an async one when it settles or the limit passes. No
   * promise, timer or listener per check.
   */
  #checkAll(checked: readonly ServiceNode[]): Promise<void> {
    const limit = deadline(undefined, this.#options.timeout, 'health check');
    const open = new Map<ServiceNode, unknown>();
    let left = checked.length;
    let endRound!: () => void;
    const ended = new Promise<void>((resolve) => (endRound = resolve));
    const done = (node: ServiceNode, instance: unknown, error: unknown): void => {
      this.#record(node, instance, error);
      if (--left === 0) endRound();
    };
    const failed = (node: ServiceNode, err: unknown): unknown => err ?? new Error(`\`${node.name}\` health check failed: ${describeSafely(err)}`);
    limit.signal.addEventListener('abort', () => {
      const timedOut = [...open];
      open.clear();
      for (const [node, instance] of timedOut) done(node, instance, limit.signal.reason);
    });
    for (const node of checked) {
      const instance = node.instance;
      let result: unknown;
      try {
        result = callHook(node, 'healthCheck', instance, limit.signal);
      } catch (err) {
        done(node, instance, failed(node, err));
        continue;
      }
      if (!isThenable(result)) {
        done(node, instance, undefined);
        continue;
      }
      open.set(node, instance);
      const settle = (error: unknown): void => void (open.delete(node) && done(node, instance, error));
      try {
        result.then(() => settle(undefined), (err: unknown) => settle(failed(node, err)));
      } catch (err) {
        settle(failed(node, err));
      }
    }
    return ended.then(() => limit.dispose());
  }

  /** Counts a failed check of `instance`; `healthFailures` in a row mark it lost. */
  #record(node: ServiceNode, instance: unknown, error: unknown): void {
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
