import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ours from '../../../lib';

/** A second copy of the library, as a process gets when two packages each bundle bandmaster. */
function secondCopy(): typeof ours {
  const saved = new Map<string, NodeJS.Module>();
  for (const [key, module] of Object.entries(require.cache)) {
    if (module && /[\\/]dist[\\/](lib|decorators)[\\/]/.test(key)) {
      saved.set(key, module);
      delete require.cache[key];
    }
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy needs a fresh require
    return require('../../../lib') as typeof ours;
  } finally {
    for (const [key, module] of saved) require.cache[key] = module;
  }
}

describe('BandmasterError brand', () => {
  const other = secondCopy();

  it('is a real second copy of the classes', () => {
    assert.notEqual(other.BandmasterError, ours.BandmasterError);
    assert.notEqual(other.BootError, ours.BootError);
  });

  it('makes instanceof and isBandmasterError agree across two copies of the library', () => {
    const theirs = new other.BandmasterError('DependencyMissing', { service: 'a', dependency: 'b' });
    const mine = new ours.BandmasterError('DependencyMissing', { service: 'a', dependency: 'b' });
    assert.equal(theirs instanceof ours.BandmasterError, true);
    assert.equal(mine instanceof other.BandmasterError, true);
    assert.equal(ours.isBandmasterError(theirs, 'DependencyMissing'), true);
    assert.equal(other.isBandmasterError(mine, 'DependencyMissing'), true);
    assert.equal(ours.isBandmasterError(theirs, 'DependencyCircular'), false);
  });

  it('recognises the BootError of a container from the other copy', async () => {
    const c = new other.Container({ logger: false });
    c.register({ name: 'a', useFactory: () => 1, deps: ['missing'] });
    const error = await c.startAll().then(() => undefined, (e: unknown) => e);
    assert.equal(error instanceof ours.BootError, true);
    assert.equal(error instanceof ours.ShutdownError, false);
    const [first] = (error as ours.BootError).errors;
    assert.equal(ours.isBandmasterError(first, 'DependencyMissing'), true);
  });

  it('is not fooled by plain errors, look-alikes or values that throw when read', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const value of [new Error('plain'), { kind: 'DependencyMissing', name: 'BandmasterError' }, null, undefined, 'BandmasterError', revoked.proxy]) {
      assert.equal(value instanceof ours.BandmasterError, false);
      assert.equal(ours.isBandmasterError(value), false);
      assert.equal(value instanceof ours.BootError, false);
    }
  });

  it('keeps instanceof of subclasses and of Error itself as the language defines it', () => {
    class Mine extends ours.BandmasterError {}
    const plain = new ours.BandmasterError('ServiceUnknown', { service: 'x' });
    assert.equal(new Mine('ServiceUnknown', { service: 'x' }) instanceof Mine, true);
    assert.equal(plain instanceof Mine, false);
    assert.equal(plain instanceof Error, true);
    assert.equal(new ours.BootError([], new ours.LifecycleReport([], [], 0)) instanceof AggregateError, true);
  });

  it('names the wrong argument of an InvalidArgument in a field of its own', () => {
    const error = new ours.BandmasterError('InvalidArgument', { service: 'resolve()', argument: 'token', detail: 'got undefined' });
    assert.equal(error.argument, 'token');
    assert.equal(error.message, 'invalid argument `token` to resolve(): got undefined');
  });
});
