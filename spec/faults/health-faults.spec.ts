import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { FaultyHook, within, type Fault } from './support/faults';

const FAULTS: readonly Fault[] = ['throws', 'rejects', 'hangs', 'ignores-abort', 'resolves-after-abort'];

describe('fault injection: health checks', () => {
  for (const fault of FAULTS) {
    it(`a health check that ${fault} makes its service unhealthy within the time limit, and the container unhealthy only if it is required`, async () => {
      for (const required of [true, false]) {
        const container = new Container({ logger: false });
        const hook = new FaultyHook(fault);
        container.register(
          { name: 'faulty', required, useFactory: () => ({}), healthCheck: (_i: unknown, signal: AbortSignal) => hook.run(signal, undefined) },
          { name: 'fine', useFactory: () => ({}), healthCheck: () => Promise.resolve() },
        );
        await container.startAll();
        const report = await within(container.health({ timeout: 50 }), 5_000, 'health');
        assert.equal(hook.released, false);
        const faulty = report.services.find((s) => s.name === 'faulty');
        const fine = report.services.find((s) => s.name === 'fine');
        assert.equal(faulty?.healthy, false);
        assert.equal(typeof faulty?.error, 'string');
        assert.equal(fine?.healthy, true);
        assert.equal(report.healthy, !required);
        hook.release();
        // an unhealthy service is reported, not stopped
        assert.equal(container.status().find((s) => s.name === 'faulty')?.state, 'started');
        await container.stopAll();
      }
    });
  }
});
