import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BootError, Container } from '../../../lib';
import type { FactoryDependency } from '../../../lib/definition';
import { turns } from '../../support/deferred';
import { Journal, tracked } from '../../support/journal';
import { dagArbitrary, dependenciesOf, downstreamOf, serviceName, type Dag } from '../../support/random-graph';

const RUNS = { seed: 0x5eed, numRuns: 120 } as const;

/** Registers every service of `dag`; hooks take their generated number of event-loop turns, `failing` ones reject. */
function registerDag(container: Container, dag: Dag, journal: Journal, failing: ReadonlySet<number> = new Set()): void {
  const deps = dependenciesOf(dag);
  for (let i = 0; i < dag.size; i++) {
    const delay = dag.delays[i]!;
    const tokens: FactoryDependency[] = deps[i]!.map((e) => (e.optional ? { token: serviceName(e.to), optional: true } : serviceName(e.to)));
    container.register(
      tracked(journal, serviceName(i), {
        deps: tokens,
        start: async () => {
          await turns(delay);
          if (failing.has(i)) throw new Error(`s${i} refuses to start`);
        },
        stop: () => turns(delay),
      }),
    );
  }
}

describe('Container', () => {
  describe('on random dependency graphs', () => {
    it('starts every service exactly once, and only after its dependencies started', async () => {
      await fc.assert(
        fc.asyncProperty(dagArbitrary({ optionalEdges: true }), async (dag) => {
          const journal = new Journal();
          const container = new Container({ logger: false });
          registerDag(container, dag, journal);
          await container.startAll();
          for (let i = 0; i < dag.size; i++) assert.equal(journal.count(`new s${i}`), 1);
          for (const { from, to } of dag.edges) assert.ok(journal.at(`started s${to}`) < journal.at(`new s${from}`), `s${from} was built before s${to} started`);
        }),
        RUNS,
      );
    });

    it('stops every service exactly once, and only after its dependents stopped', async () => {
      await fc.assert(
        fc.asyncProperty(dagArbitrary({ optionalEdges: true }), async (dag) => {
          const journal = new Journal();
          const container = new Container({ logger: false });
          registerDag(container, dag, journal);
          await container.startAll();
          await container.stopAll();
          for (let i = 0; i < dag.size; i++) assert.equal(journal.count(`stopped s${i}`), 1);
          for (const { from, to } of dag.edges) assert.ok(journal.at(`stopped s${from}`) < journal.at(`stop s${to}`), `s${to} stopped before its dependent s${from}`);
        }),
        RUNS,
      );
    });

    it('fails exactly the services downstream of a failure through required edges, and nothing else', async () => {
      const scenario = dagArbitrary({ optionalEdges: true }).chain((dag) => fc.record({ dag: fc.constant(dag), failing: fc.uniqueArray(fc.nat(dag.size - 1), { minLength: 1, maxLength: 3 }) }));
      await fc.assert(
        fc.asyncProperty(scenario, async ({ dag, failing }) => {
          const journal = new Journal();
          const container = new Container({ logger: false });
          const failingSet = new Set(failing);
          registerDag(container, dag, journal, failingSet);
          const expected = downstreamOf(dag, failingSet);
          const error = await container.startAll().then(
            () => assert.fail('the boot should fail'),
            (e: unknown) => e,
          );
          assert.ok(error instanceof BootError);
          assert.deepEqual(error.errors.map((e) => e.service).sort(), [...expected].map(serviceName).sort());
          const deps = dependenciesOf(dag);
          for (const report of container.status()) {
            const i = Number(report.name.slice(1));
            const culprits = deps[i]!.filter((e) => !e.optional && expected.has(e.to)).map((e) => serviceName(e.to));
            if (!expected.has(i)) {
              assert.equal(report.state, 'started', report.name);
            } else if (culprits.length > 0) {
              assert.equal(report.error?.kind, 'DependencyUnavailable', report.name);
              assert.ok(culprits.includes(report.error.dependency!), `${report.name} blames ${report.error.dependency}`);
              assert.equal(journal.count(`new ${report.name}`), 0);
            } else {
              assert.ok(failingSet.has(i));
              assert.equal(report.error?.kind, 'ServiceStartFailure', report.name);
            }
          }
        }),
        RUNS,
      );
    });
  });
});
