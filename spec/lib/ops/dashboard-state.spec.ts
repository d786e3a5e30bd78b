import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Container, dashboardHandler, token, type DashboardState } from '../../../lib';

const PLUGIN = token('plugin');

/** GET path/state.json of a dashboard on a free port. */
async function stateOf(container: Container): Promise<DashboardState> {
  const server = createServer(dashboardHandler(container));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/bandmaster/state.json`);
    assert.equal(response.status, 200);
    return (await response.json()) as DashboardState;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('dashboard state.json with scopes and tags', () => {
  it('carries scope and tags per service, and the transient and scoped services with their dependencies', async () => {
    const container = new Container({ logger: false });
    container.register(
      { name: 'db', useFactory: () => ({}) },
      { name: 'metrics', tags: [PLUGIN, 'http'], deps: ['db'], useFactory: () => ({}) },
      { name: 'RequestContext', scope: 'scoped', deps: ['db', 'request'], useFactory: () => ({}) },
      { name: 'Handler', scope: 'transient', tags: [PLUGIN], useFactory: () => ({}) },
    );
    await container.startAll();
    try {
      const state = await stateOf(container);
      assert.deepEqual(state.services.map((s) => [s.name, s.state, s.scope, s.tags, s.dependencies]), [
        ['db', 'started', 'singleton', [], []],
        ['metrics', 'started', 'singleton', ['plugin', 'http'], ['db']],
      ]);
      assert.deepEqual(state.onDemand, [
        { name: 'RequestContext', scope: 'scoped', tags: [], dependencies: ['db', 'request'] },
        { name: 'Handler', scope: 'transient', tags: ['plugin'], dependencies: [] },
      ]);
      // the fields it had are all still there
      assert.deepEqual(Object.keys(state.services[1]!).sort(), ['attempts', 'dependencies', 'name', 'required', 'restarts', 'scope', 'state', 'tags']);
      assert.deepEqual(state.timeline.entries.map((e) => e.name), ['db', 'metrics']);
    } finally {
      await container.stopAll();
    }
  });
});
