import { BandmasterError, describeValue } from '../errors';
import type { ServiceNode } from './node';

/**
 * Resolves to the started instance of `node` once it is started, waiting across failed boots and
 * restarts (a watcher that sees another state watches again); rejects with the signal's reason
 * when it aborts, and with `InvalidArgument` for options that are not an object.
 */
export function whenStarted<T>(node: ServiceNode, options: { readonly signal?: AbortSignal }): Promise<T> {
  if (node.state === 'started') return Promise.resolve(node.instance as T);
  if (typeof options !== 'object' || options === null) {
    return Promise.reject(new BandmasterError('InvalidArgument', { service: 'ready()', argument: 'options', detail: `options must be an object like { signal }, got ${describeValue(options)}` }));
  }
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      node.unwatch(watcher);
      reject(signal!.reason);
    };
    const watcher = (n: ServiceNode): void => {
      if (n.state !== 'started') return n.watch(watcher);
      signal?.removeEventListener('abort', onAbort);
      resolve(n.instance as T);
    };
    node.watch(watcher);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
