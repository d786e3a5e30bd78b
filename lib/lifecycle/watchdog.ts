import { clampDelay } from '../delay';
import type { Logger } from '../logger';
import { STARTING, type ServiceNode } from './node';

/** Default of `ContainerOptions.startWarningMs`: a start hook without startTimeout that runs this long is named in one warning. */
export const START_WARNING_MS = 10_000;

/**
 * Warns once per service about a start that never settles: a service with no `startTimeout`
 * whose attempt has run for `afterMs` is named in one `warn` line ("still starting after ...").
 * One unref'd timer per boot, not one per service: it re-arms itself while the boot runs and
 * looks at the members still starting, so a boot of 10,000 services costs one timer.
 */
export class StartWatchdog {
  readonly #warned = new Set<ServiceNode>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly members: () => readonly ServiceNode[],
    private readonly now: () => number,
    private readonly log: () => Logger | false | undefined,
    private readonly afterMs: number,
  ) {}

  /** Arms the timer, if it is not armed. */
  arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.#check(), clampDelay(this.afterMs));
    this.#timer.unref();
  }

  /** Clears the timer: the boot is over. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    this.#timer = undefined;
    const now = this.now();
    let starting = false;
    for (const node of this.members()) {
      if (node.code !== STARTING || node.spec.startTimeout !== undefined) continue;
      starting = true;
      if (this.#warned.has(node) || now - node.attemptAt < this.afterMs) continue;
      this.#warned.add(node);
      try {
        (this.log() || undefined)?.warn(`\`${node.name}\` still starting after ${Math.round(now - node.attemptAt)}ms: its start hook has not settled and it has no startTimeout; set one, or pass a signal or timeout to startAll()`, {
          service: node.name,
          attempt: node.attempts,
        });
      } catch {
        // a broken logger must not break the boot it reports on
      }
    }
    if (starting) this.arm();
  }
}
