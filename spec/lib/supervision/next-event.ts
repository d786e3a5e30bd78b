import type { Container, LifecycleEvent } from '../../../lib';

/** The next event of `type` for `service`; rejects after `timeoutMs`, naming what did not come. */
export function nextEvent(container: Container, type: LifecycleEvent['type'], service: string, timeoutMs = 10_000): Promise<LifecycleEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no ${type} event of ${service} within ${timeoutMs} ms`))), timeoutMs);
    const off = container.events.on((e) => {
      if (e.type !== type || e.service !== service) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}
