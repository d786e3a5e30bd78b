import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceSpec } from '../../../lib/definition';
import { IDLE, NodeTable, STARTED, STARTING, WAITING } from '../../../lib/lifecycle/node';

/** Only the name is read by the table; the rest of a spec does not matter here. */
const spec = (name: string): ServiceSpec => ({ name }) as ServiceSpec;

describe('the node table', () => {
  it('sizes its columns to fit a reserved batch instead of doubling past it', () => {
    const table = new NodeTable();
    table.reserve(10_000);
    for (let i = 0; i < 10_000; i++) table.add(spec(`s${i}`));
    assert.equal(table.state.length, 10_000);
    assert.equal(table.times.length, 10_000 * 4);
    assert.equal(table.nodes.length, 10_000);
  });

  it('still grows by doubling, keeping every column, once a reserved batch is full', () => {
    const table = new NodeTable();
    table.reserve(20);
    const nodes = Array.from({ length: 20 }, (_, i) => table.add(spec(`s${i}`)));
    assert.equal(table.state.length, 20);
    nodes[1]!.transition(WAITING);
    nodes[1]!.transition(STARTING);
    nodes[1]!.transition(STARTED);
    table.pending[19] = 7;
    const next = table.add(spec('s20'));
    assert.equal(table.state.length, 40);
    assert.deepEqual([nodes[0]!, nodes[1]!, nodes[19]!, next].map((n) => n.code), [IDLE, STARTED, IDLE, IDLE]);
    assert.equal(table.pending[19], 7);
    assert.equal(next.index, 20);
  });

  it('reserves nothing when the room is already there', () => {
    const table = new NodeTable();
    const before = table.state;
    table.reserve(4);
    assert.equal(table.state, before);
  });
});
