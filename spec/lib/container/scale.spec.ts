import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../../lib';
import { bootError } from '../../support/errors';
import { serviceName } from '../../support/random-graph';

const SIZE = 100_000;

interface Link {
  readonly depth: number;
}

const link = (previous?: Link): Link => ({ depth: (previous?.depth ?? -1) + 1 });

describe('Container', () => {
  describe('at scale', () => {
    it(`validates, boots and stops a chain of ${SIZE} zero-latency services without overflowing the stack`, async () => {
      // one registration pass serves three graphs: overriding s0 makes it invalid twice, then valid
      let constructed = 0;
      const container = new Container({ logger: false });
      container.register({ name: serviceName(0), useFactory: link, deps: ['root'] });
      for (let i = 1; i < SIZE; i++) container.register({ name: serviceName(i), deps: [serviceName(i - 1)], useFactory: (p: Link) => (constructed++, link(p)) });

      const missing = await bootError(container.startAll());
      assert.deepEqual(missing.errors.map((e) => [e.kind, e.service, e.dependency]), [['DependencyMissing', 's0', 'root']]);

      container.override(serviceName(0), { useFactory: link, deps: [serviceName(SIZE - 1)] });
      const circular = await bootError(container.startAll());
      assert.equal(circular.errors.length, 1);
      const cycle = circular.errors[0]!.cycle ?? [];
      assert.deepEqual([circular.errors[0]!.kind, cycle.length, cycle[0], cycle[1], cycle.at(-2), cycle.at(-1)], ['DependencyCircular', SIZE + 1, 's0', `s${SIZE - 1}`, 's1', 's0']);
      assert.equal(constructed, 0);

      container.override(serviceName(0), { useFactory: () => link() });
      const report = await container.startAll();
      assert.equal(report.services.length, SIZE);
      assert.equal(constructed, SIZE - 1);
      assert.deepEqual(container.resolve<Link>(serviceName(SIZE - 1)), { depth: SIZE - 1 });
      await container.stopAll();
      assert.equal(container.status().filter((s) => s.state !== 'stopped').length, 0);
    });
  });
});
