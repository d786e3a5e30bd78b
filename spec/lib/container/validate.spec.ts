import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Inject, Optional, Service } from '../../../lib';
import { bootError, kindsByService } from '../../support/errors';
import { Journal, tracked } from '../../support/journal';

describe('Container', () => {
  describe('startAll validation', () => {
    it('reports a missing dependency and constructs nothing', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'A'), tracked(journal, 'B', { deps: ['A'] }), tracked(journal, 'C', { deps: ['A', 'B', 'D'] }));
      const error = await bootError(container.startAll());
      assert.deepEqual(
        error.errors.map((e) => ({ kind: e.kind, service: e.service, dependency: e.dependency })),
        [{ kind: 'DependencyMissing', service: 'C', dependency: 'D' }],
      );
      assert.deepEqual(journal.entries, []);
      assert.deepEqual(container.status().map((s) => s.state), ['idle', 'idle', 'idle']);
    });

    it('reports a cycle with its path and constructs nothing', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'A', { deps: ['D'] }),
        tracked(journal, 'B', { deps: ['A'] }),
        tracked(journal, 'C', { deps: ['D'] }),
        tracked(journal, 'D', { deps: ['B'] }),
      );
      const error = await bootError(container.startAll());
      assert.deepEqual(
        error.errors.map((e) => ({ kind: e.kind, service: e.service, cycle: e.cycle })),
        [{ kind: 'DependencyCircular', service: 'A', cycle: ['A', 'D', 'B', 'A'] }],
      );
      assert.deepEqual(journal.entries, []);
    });

    it('reports every missing dependency and every cycle in one BootError', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'ok'),
        tracked(journal, 'm1', { deps: ['ok', 'gone-1'] }),
        tracked(journal, 'm2', { deps: ['gone-2'], dependsOn: ['gone-3'] }),
        tracked(journal, 'x', { deps: ['y'] }),
        tracked(journal, 'y', { deps: ['x'] }),
        tracked(journal, 'p', { deps: ['q'] }),
        tracked(journal, 'q', { deps: ['r'] }),
        tracked(journal, 'r', { deps: ['p', 'ok'] }),
      );
      const error = await bootError(container.startAll());
      assert.deepEqual(
        error.errors.map((e) => [e.kind, e.service, e.dependency ?? e.cycle]),
        [
          ['DependencyMissing', 'm1', 'gone-1'],
          ['DependencyMissing', 'm2', 'gone-2'],
          ['DependencyMissing', 'm2', 'gone-3'],
          ['DependencyCircular', 'x', ['x', 'y', 'x']],
          ['DependencyCircular', 'p', ['p', 'q', 'r', 'p']],
        ],
      );
      assert.equal(error.report.errors.length, 5);
      assert.deepEqual(journal.entries, []);
    });

    it('constructs nothing, not even services outside the broken part, when the graph is invalid', async () => {
      let constructed = 0;
      @Service()
      class Healthy {
        constructor() {
          constructed++;
        }
      }
      @Service()
      class Broken {
        constructor(@Inject('nowhere') readonly dep: unknown) {
          constructed++;
        }
      }
      const container = new Container({ logger: false });
      container.register(Healthy, Broken);
      const error = await bootError(container.startAll());
      assert.deepEqual(kindsByService(error.errors), [{ service: 'Broken', kind: 'DependencyMissing' }]);
      assert.equal(constructed, 0);
    });

    it('does not count an unregistered @Optional() dependency as missing', async () => {
      @Service()
      class Api {
        constructor(@Optional() @Inject('audit') readonly audit?: unknown) {}
      }
      const container = new Container({ logger: false });
      container.register(Api);
      const report = await container.startAll();
      assert.deepEqual(report.errors, []);
      assert.equal(container.resolve(Api).audit, undefined);
    });

    it('reports a missing @DependsOn dependency even though it is not injected', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'api', useValue: 1, dependsOn: ['migrations'] });
      const error = await bootError(container.startAll());
      assert.deepEqual(error.errors.map((e) => [e.kind, e.service, e.dependency]), [['DependencyMissing', 'api', 'migrations']]);
    });

    it('validates again after the missing service is registered', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'api', useFactory: (db: string) => `api on ${db}`, deps: ['db'] });
      await bootError(container.startAll());
      container.register({ name: 'db', useValue: 'pg' });
      await container.startAll();
      assert.equal(container.resolve('api'), 'api on pg');
    });
  });
});
