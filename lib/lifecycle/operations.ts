import { callHook } from './hooks';
import type { ServiceNode } from './node';
import { fromValue } from '../registration/spec';
import { bounded, isThenable, raceAbort } from './retry';
import type { Operation } from './attempt';
import { injectedArgs } from './inject';

/** What starts and stops of a service share: its name and its retry policy. */
const POLICY = {
  name: (node: ServiceNode): string => node.name,
  retries: (node: ServiceNode): number => node.spec.retries,
  backoff: (node: ServiceNode): ServiceNode['spec']['backoff'] => node.spec.backoff,
};

/**
 * One start try: constructs with the started dependencies, then runs `onStart`; resolves (or
 * returns) the instance. A retry builds a fresh instance and calls its hook again, even while the
 * try it gave up on still runs (DESIGN, "Retries really retry"); the first try of a boot, and
 * every try on a shared instance (`useValue`), waits for an earlier one still unwinding (its boot
 * was aborted), abortably.
 */
export const START: Operation<ServiceNode> = {
  phase: 'start',
  ...POLICY,
  timeout: (node) => node.spec.startTimeout,
  what: (node) => `\`${node.name}\` start attempt`,
  call(node, signal, attempt, run) {
    const previous = node.inflight;
    if (previous && (attempt === 1 || node.spec.create === fromValue)) {
      // abortable, but an aborted wait settles only once the earlier try did: the service's try in
      // flight (what a shutdown waits for before it stops the dependencies) then covers that one too
      return raceAbort(previous, signal).then(
        () => constructAndStart(node, signal),
        (reason: unknown) => previous.then(() => Promise.reject(reason as Error)),
      );
    }
    const spec = node.spec;
    const created = spec.create(spec, injectedArgs(node), signal);
    if (isThenable(created)) return Promise.resolve(created).then((instance) => runStartHook(node, instance, signal));
    // the common case, a synchronous constructor or factory: the hook's own promise settles the try
    run.carry(created);
    return callHook(node, 'onStart', created, signal);
  },
  track(node, running, inFlight) {
    if (inFlight) node.inflight = running;
    else if (node.inflight === running) node.inflight = undefined;
  },
};

/**
 * A service's {@link ServiceNode.stopping} once a stop given up on closed its instance after all
 * while another run held the service: its next stop succeeds at once, without the hook.
 */
export const CLOSED: Promise<boolean> = Promise.resolve(true);

/** How a new shutdown's stop waits for an earlier one still unwinding, when the service has no stopTimeout. */
const UNWIND_GRACE_MS = 1_000;

/**
 * One stop try: runs `onStop`, if there is one. The first try of a shutdown is serialized like a
 * start: a stop of the same instance by an earlier shutdown still running (it gave up on it) is
 * waited for first, abortably and at most the service's stopTimeout (1 s without), and when that
 * stop closed the instance this one succeeds without calling the hook again. A retry does not wait.
 */
export const STOP: Operation<ServiceNode> = {
  phase: 'stop',
  ...POLICY,
  timeout: (node) => node.spec.stopTimeout,
  what: (node) => `\`${node.name}\` stop attempt`,
  call(node, signal, attempt) {
    const previous = node.stopping;
    const instance = node.instance;
    if (previous && attempt === 1) {
      return raceAbort(bounded(previous, node.spec.stopTimeout ?? UNWIND_GRACE_MS), signal).then((closed) => (closed ? undefined : callHook(node, 'onStop', instance, signal)));
    }
    return callHook(node, 'onStop', instance, signal);
  },
  track(node, running, inFlight) {
    if (inFlight) node.stopping = running;
    else if (node.stopping === running) node.stopping = undefined;
  },
};

function constructAndStart(node: ServiceNode, signal: AbortSignal): unknown {
  const spec = node.spec;
  const created = spec.create(spec, injectedArgs(node), signal);
  if (isThenable(created)) return Promise.resolve(created).then((instance) => runStartHook(node, instance, signal));
  return runStartHook(node, created, signal);
}

function runStartHook(node: ServiceNode, instance: unknown, signal: AbortSignal): unknown {
  const result = callHook(node, 'onStart', instance, signal);
  return isThenable(result) ? Promise.resolve(result).then(() => instance) : instance;
}
