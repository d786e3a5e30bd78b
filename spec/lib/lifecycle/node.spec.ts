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
    table.reserve(3);
    const nodes = [0, 1, 2].map((i) => table.add(spec(`s${i}`)));
    nodes[1]!.transition(WAITING);
    nodes[1]!.transition(STARTING);
    nodes[1]!.transition(STARTED);
    table.pending[2] = 7;
    const fourth = table.add(spec('s3'));
    assert.equal(table.state.length, 6);
    assert.deepEqual([...nodes, fourth].map((n) => n.code), [IDLE, STARTED, IDLE, IDLE]);
    assert.equal(table.pending[2], 7);
    assert.equal(fourth.index, 3);
  });

  it('reserves nothing when the room is already there', () => {
    const table = new NodeTable();
    const before = table.state;
    table.reserve(4);
    assert.equal(table.state, before);
  });
});
