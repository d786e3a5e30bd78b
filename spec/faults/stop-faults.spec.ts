import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, Container, DependsOn, Service, ShutdownError, type AnyDefinition, type Constructor, type RunOptions } from '../../lib';
import { states } from '../support/provider-spec';
import { FAILING_FAULTS, STUCK_FAULTS, TRIGGERS, FaultyHook, causeName, flush, rejection, within, type Fault, type Trigger } from './support/faults';

type Phase = 'class onStop' | 'definition onStop';

interface Case {
  readonly phase: Phase;
  readonly fault: Fault;
  readonly trigger?: Trigger;
}

const RETRIES = 1;

function stopCases(): Case[] {
  const cases: Case[] = [];
  for (const phase of ['class onStop', 'definition onStop'] as const) {
    for (const fault of FAILING_FAULTS) cases.push({ phase, fault });
    for (const fault of STUCK_FAULTS) for (const trigger of TRIGGERS) cases.push({ phase, fault, trigger });
  }
  return cases;
}

/** `faulty`, which depends on `base`, with an onStop hook that misbehaves. */
function faultyService(c: Case, hook: FaultyHook): Constructor | AnyDefinition {
  const options = { name: 'faulty', retries: RETRIES, backoff: 1, ...(c.trigger === 'attempt timeout' ? { stopTimeout: 30 } : {}) };
  if (c.phase === 'definition onStop') {
    return { ...options, deps: ['base'], useFactory: () => ({ kind: 'faulty' }), onStop: (_i: unknown, signal: AbortSignal) => hook.run(signal, undefined) };
  }
  class Flusher {
    onStop(signal: AbortSignal): unknown {
      return hook.run(signal, undefined);
    }
  }
  Service(options)(Flusher);
  DependsOn('base')(Flusher);
  return Flusher;
}

const aborted = (c: Case): boolean => c.trigger === 'run timeout' || c.trigger === 'caller abort';

describe('fault injection: stop', () => {
  for (const c of stopCases()) {
    // a stuck hook that settles after the container gave up has closed its client after all
    const late = c.fault === 'ignores-abort' || c.fault === 'resolves-after-abort';
    const title = `a ${c.phase} that ${c.fault}${c.trigger ? ` (ended by ${c.trigger})` : ''} leaves its service and its dependencies started${late ? ' (the service stopped once its late hook succeeds)' : ''}, and a later stopAll stops them`;
    it(title, async () => {
      const container = new Container({ logger: false });
      const hook = new FaultyHook(c.fault);
      const stops = { base: 0, other: 0 };
      container.register(
        { name: 'base', useFactory: () => ({ kind: 'base' }), onStop: () => void stops.base++ },
        faultyService(c, hook),
        { name: 'other', useFactory: () => ({ kind: 'other' }), onStop: () => void stops.other++ },
      );
      await container.startAll();
      const instance = container.resolve('faulty');
      const controller = new AbortController();
      const reason = new DOMException('operator pressed ctrl-c twice', 'AbortError');
      const options: RunOptions = c.trigger === 'run timeout' ? { timeout: 60 } : c.trigger === 'caller abort' ? { signal: controller.signal } : {};
      if (c.trigger === 'caller abort') {
        const otherStopped = new Promise<void>((resolve) => container.events.on((e) => e.type === 'stopped' && e.service === 'other' && resolve()));
        void Promise.all([hook.entered, otherStopped]).then(() => controller.abort(reason));
      }

      const lateStopped = new Promise<void>((resolve) => container.events.on((e) => e.type === 'stopped' && e.service === 'faulty' && resolve()));
      const error = await within(rejection(container.stopAll(options)), 5_000, 'stopAll');

      assert.equal(hook.released, false);
      assert.ok(error instanceof ShutdownError);
      const byService = new Map(error.errors.map((e) => [e.service, e]));
      const failure = byService.get('faulty');
      assert.ok(failure instanceof BandmasterError);
      assert.equal(failure.kind, 'ServiceStopFailure');
      assert.equal(failure.attempts, aborted(c) ? 1 : RETRIES + 1);
      if (c.fault === 'throws' || c.fault === 'rejects') assert.equal(failure.cause, hook.errors.at(-1));
      else if (c.trigger === 'caller abort') assert.equal(failure.cause, reason);
      else assert.equal(causeName(failure.cause), 'TimeoutError');
      const base = byService.get('base');
      assert.ok(base);
      if (aborted(c)) {
        assert.equal(base.kind, 'ServiceStopFailure');
      } else {
        assert.equal(base.kind, 'ParentUnavailable');
        assert.equal(base.parent, 'faulty');
      }
      assert.equal(byService.has('other'), false);
      assert.deepEqual(stops, { base: 0, other: 1 });
      if (c.fault !== 'resolves-after-abort') {
        assert.deepEqual(states(container), { base: 'started', faulty: 'started', other: 'stopped' });
        assert.equal(container.resolve('faulty'), instance);
      }

      hook.release();
      await flush();
      if (late) {
        // its stop hook finished after the container gave up: the client is closed, so the service
        // is stopped (with its event) rather than "started"; its dependency's stop never ran
        await within(lateStopped, 1_000, 'the late stopped event');
        assert.equal(hook.lateResolutions > 0, true);
        assert.deepEqual(states(container), { base: 'started', faulty: 'stopped', other: 'stopped' });
        assert.throws(() => container.resolve('faulty'), (e: unknown) => e instanceof BandmasterError && e.kind === 'ServiceNotStarted');
      } else {
        assert.deepEqual(states(container), { base: 'started', faulty: 'started', other: 'stopped' });
      }

      hook.mode = 'ok';
      const callsBefore = hook.calls;
      await within(container.stopAll(), 5_000, 'second stopAll');
      assert.deepEqual(states(container), { base: 'stopped', faulty: 'stopped', other: 'stopped' });
      assert.deepEqual(stops, { base: 1, other: 1 });
      // a service that is already stopped is not closed twice
      assert.equal(hook.calls - callsBefore, late ? 0 : 1);
    });
  }
});
