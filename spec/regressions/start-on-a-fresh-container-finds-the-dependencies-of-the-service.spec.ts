import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';

describe('regressions', () => {
  it('start(token) on a container that never ran startAll finds and injects the dependencies of that service', async () => {
    // start() walked dependency links that only startAll, status or graph had built, so on a
    // fresh container every dependency looked missing and it rejected with DependencyMissing
    const container = new Container({ logger: false });
    container.register({ name: 'db', useValue: 'pg' }, { name: 'repo', useFactory: (db: string) => `repo on ${db}`, deps: ['db'] });
    assert.equal(await container.start('repo'), 'repo on pg');
  });

  it('start(token) sees a dependency registered after the last startAll', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'clock', useValue: 1 });
    await container.startAll();
    container.register({ name: 'db', useValue: 'pg' }, { name: 'repo', useFactory: (db: string) => `repo on ${db}`, deps: ['db'] });
    assert.equal(await container.start('repo'), 'repo on pg');
  });
});
