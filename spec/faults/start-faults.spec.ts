import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, BootError, Container, Service, type AnyDefinition, type Constructor, type RunOptions } from '../../lib';
import { states } from '../support/provider-spec';
import { FAILING_FAULTS, STUCK_FAULTS, TRIGGERS, FaultyHook, causeName, eventually, flush, rejection, within, type Fault, type Trigger } from './support/faults';

/** Where the fault sits in a start attempt. */
type Phase = 'factory' | 'constructor' | 'class onStart' | 'definition onStart';

interface Case {
  readonly phase: Phase;
  readonly fault: Fault;
  readonly trigger?: Trigger;
}

const RETRIES = 1;

/** Every (phase, fault, trigger) combination a start can meet. */
function startCases(): Case[] {
  const cases: Case[] = [{ phase: 'constructor', fault: 'throws' }];
  for (const phase of ['factory', 'class onStart', 'definition onStart'] as const) {
    for (const fault of FAILING_FAULTS) cases.push({ phase, fault });
    // a factory gets no signal: it can only ignore one
    const stuck = phase === 'factory' ? STUCK_FAULTS.filter((f) => f !== 'resolves-after-abort') : STUCK_FAULTS;
    for (const fault of stuck) for (const trigger of TRIGGERS) cases.push({ phase, fault, trigger });
  }
  return cases;
}

/** The faulty service, named `faulty`; `cleanups` counts stops of instances it gave up on. */
function faultyService(c: Case, hook: FaultyHook, counters: { cleanups: number }): Constructor | AnyDefinition {
  const options = { name: 'faulty', retries: RETRIES, backoff: 1, ...(c.trigger === 'attempt timeout' ? { startTimeout: 30 } : {}) };
  const cleanup = (): void => void counters.cleanups++;
  switch (c.phase) {
    case 'factory':
      return { ...options, useFactory: () => hook.run(undefined, { kind: 'client' }), onStop: cleanup };
    case 'definition onStart':
      return { ...options, useFactory: () => ({ kind: 'client' }), onStart: (_client: unknown, signal: AbortSignal) => hook.run(signal, undefined), onStop: cleanup };
    case 'constructor': {
      class Broken {
        constructor() {
          hook.run(undefined, undefined);
        }
      }
      Service(options)(Broken);
      return Broken;
    }
    case 'class onStart': {
      class Stuck {
        onStart(signal: AbortSignal): unknown {
          return hook.run(signal, undefined);
        }
        onStop(): void {
          cleanup();
        }
      }
      Service(options)(Stuck);
      return Stuck;
    }
  }
}

function expectedAttempts(c: Case): number {
  return c.trigger === 'run timeout' || c.trigger === 'caller abort' ? 1 : RETRIES + 1;
}

/** Hook calls: one per attempt, a retry does not wait for an attempt still running (DESIGN, "Retries really retry"). */
function expectedCalls(c: Case): number {
  return expectedAttempts(c);
}

const aborted = (c: Case): boolean => c.trigger === 'run timeout' || c.trigger === 'caller abort';

describe('fault injection: start', () => {
  for (const c of startCases()) {
    const title = `a ${c.phase} that ${c.fault}${c.trigger ? ` (ended by ${c.trigger})` : ''} fails its service, and only its service, for good`;
    it(title, async () => {
      const container = new Container({ logger: false });
      const hook = new FaultyHook(c.fault);
      const counters = { cleanups: 0, dependentBuilt: 0 };
      container.register(
        faultyService(c, hook, counters),
        { name: 'dependent', deps: ['faulty'], useFactory: () => ({ built: ++counters.dependentBuilt }) },
        { name: 'sibling', useFactory: () => ({ kind: 'sibling' }) },
      );
      const controller = new AbortController();
      const reason = new DOMException('operator pressed ctrl-c', 'AbortError');
      const options: RunOptions = c.trigger === 'run timeout' ? { timeout: 60 } : c.trigger === 'caller abort' ? { signal: controller.signal } : {};
      if (c.trigger === 'caller abort') {
        void Promise.all([hook.entered, container.ready('sibling')]).then(() => controller.abort(reason));
      }

      const error = await within(rejection(container.startAll(options)), 5_000, 'startAll');

      // the container returned while an ignoring hook was still running
      assert.equal(hook.released, false);
      assert.ok(error instanceof BootError);
      const byService = new Map(error.errors.map((e) => [e.service, e]));
      const failure = byService.get('faulty');
      assert.ok(failure instanceof BandmasterError);
      assert.equal(failure.kind, 'ServiceStartFailure');
      assert.equal(failure.attempts, expectedAttempts(c));
      assert.equal(hook.calls, expectedCalls(c));
      assertCause(c, failure.cause, hook, reason);
      const dependent = byService.get('dependent');
      assert.ok(dependent);
      if (aborted(c)) {
        assert.equal(dependent.kind, 'ServiceStartFailure');
        assert.equal(dependent.attempts, 0);
      } else {
        assert.equal(dependent.kind, 'DependencyUnavailable');
        assert.equal(dependent.dependency, 'faulty');
      }
      assert.equal(counters.dependentBuilt, 0);
      assert.equal(byService.has('sibling'), false);
      assert.deepEqual(states(container), { faulty: 'failed', dependent: 'failed', sibling: 'started' });

      hook.release();
      const late = c.fault === 'ignores-abort' || c.fault === 'resolves-after-abort' ? expectedCalls(c) : 0;
      await eventually(() => hook.lateResolutions === late, 5_000, 'late resolutions');
      // instances that came too late are stopped behind the scenes, never turned into started
      if (c.phase !== 'constructor') await eventually(() => counters.cleanups === late, 5_000, 'cleanup of abandoned instances');
      await flush();
      assert.deepEqual(states(container), { faulty: 'failed', dependent: 'failed', sibling: 'started' });
      assert.equal(error.report.services.find((s) => s.name === 'faulty')?.state, 'failed');
      assert.equal(container.get('faulty'), undefined);

      await container.stopAll();
      assert.deepEqual(states(container), { faulty: 'stopped', dependent: 'stopped', sibling: 'stopped' });
    });
  }
});

function assertCause(c: Case, cause: unknown, hook: FaultyHook, reason: unknown): void {
  if (c.fault === 'throws' || c.fault === 'rejects') return assert.equal(cause, hook.errors.at(-1));
  if (c.trigger === 'caller abort') return assert.equal(cause, reason);
  assert.equal(causeName(cause), 'TimeoutError');
}
