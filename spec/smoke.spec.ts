import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Container, Service, Inject, DependsOn, BootError } from '../lib';

describe('smoke', () => {
  it('boots a small graph', async () => {
    const order: string[] = [];
    @Service({ name: 'db' })
    class Db { async onStart() { await new Promise((r) => setTimeout(r, 10)); order.push('db'); } }
    @Service()
    @DependsOn('db')
    class Repo { constructor(@Inject('clock') readonly clock: { now(): number }) {} onStart() { order.push('repo'); } }
    @Service()
    class Api { constructor(readonly repo: Repo) {} onStop() { order.push('api-stop'); } }
    const c = new Container({ logger: false });
    c.register(Db, Repo, Api, { name: 'clock', useValue: { now: () => 1 } });
    const report = await c.startAll();
    assert.equal(report.errors.length, 0);
    assert.deepEqual(order, ['db', 'repo']);
    assert.ok(c.resolve(Api).repo instanceof Repo);
    console.log(report.toString());
    await c.stopAll();
    assert.deepEqual(order, ['db', 'repo', 'api-stop']);
  });
  it('reports cycles', async () => {
    const c = new Container({ logger: false });
    c.register({ name: 'A', useFactory: () => 1, deps: ['D'] }, { name: 'D', useFactory: () => 1, deps: ['B'] }, { name: 'B', useFactory: () => 1, deps: ['A'] });
    await assert.rejects(c.startAll(), (e: unknown) => { assert.ok(e instanceof BootError); assert.deepEqual(e.errors[0]!.cycle, ['A', 'D', 'B', 'A']); return true; });
  });
});
