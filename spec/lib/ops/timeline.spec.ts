import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, token } from '../../../lib';
import { turns } from '../../support/deferred';
import { FakeClock } from '../../support/fake-clock';

const PLUGIN = token('plugin');

/** db (30ms), metrics tagged `plugin, http` after db (20ms), a scoped and a tagged transient service. */
async function bootTagged(extra: number = 0): Promise<Container> {
  const clock = new FakeClock();
  const container = new Container({ logger: false, clock });
  container.register(
    { name: 'db', useFactory: () => ({}), onStart: async () => (await turns(1), clock.advance(30)) },
    { name: 'metrics', tags: [PLUGIN, 'http'], deps: ['db'], useFactory: () => ({}), onStart: async () => (await turns(1), clock.advance(20)) },
    { name: 'RequestContext', scope: 'scoped', deps: ['db'], useFactory: () => ({}) },
    { name: 'Handler', scope: 'transient', tags: [PLUGIN], useFactory: () => ({}) },
  );
  for (let i = 0; i < extra; i++) container.register({ name: `Scoped${i}`, scope: 'scoped', useFactory: () => ({}) });
  await container.startAll();
  return container;
}

describe('Timeline with scopes and tags', () => {
  it('gives the tags of a booted service and lists the transient and scoped services as on demand', async () => {
    const container = await bootTagged();
    const timeline = container.timeline();
    assert.deepEqual(timeline.entries.map((e) => [e.name, e.tags]), [['db', undefined], ['metrics', ['plugin', 'http']]]);
    assert.deepEqual(timeline.onDemand, [
      { name: 'RequestContext', scope: 'scoped', tags: [] },
      { name: 'Handler', scope: 'transient', tags: ['plugin'] },
    ]);
    await container.stopAll();
  });

  it('shows the tags next to the service name in the text chart, and the on-demand services in one last line', async () => {
    const container = await bootTagged();
    assert.equal(
      container.timeline().toText({ width: 10 }),
      [
        'boot timeline: 2 services in 50ms; critical path (*): db -> metrics',
        'service                  |0     50ms|   waited    start  tries  ready',
        'db                     * |██████    |      0ms     30ms      1  30ms',
        'metrics [plugin, http] * |░░░░░░████|     30ms     20ms      1  50ms',
        '░ waiting for dependencies  █ starting (attempts, backoff)  ▒ failed',
        'on demand: RequestContext (scoped), Handler (transient, tags: plugin)',
      ].join('\n'),
    );
    await container.stopAll();
  });

  it('bounds the on-demand line however many transient and scoped services there are, and shows it before any boot', async () => {
    const container = await bootTagged(5_000);
    const last = container.timeline().toText().split('\n').at(-1)!;
    assert.ok(last.startsWith('on demand: RequestContext (scoped), Handler (transient, tags: plugin), Scoped0 (scoped)'), last);
    assert.match(last, /…\d+ more…, Scoped4997 \(scoped\), Scoped4998 \(scoped\), Scoped4999 \(scoped\)$/);
    assert.ok(last.length < 1_100, `${last.length} characters`);
    const fresh = new Container({ logger: false });
    fresh.register({ name: 'Job', scope: 'transient', useFactory: () => ({}) });
    assert.equal(fresh.timeline().toText(), 'boot timeline: no service has been through a boot yet\non demand: Job (transient)');
    await container.stopAll();
  });

  it('shows the tags in the SVG label and tooltip, and the on-demand services in a line above the legend', async () => {
    const container = await bootTagged();
    const svg = container.timeline().toSvg();
    assert.match(svg, />\* metrics<\/text>\n<text [^>]*font-size="9"[^>]*>plugin, http<\/text>/);
    assert.match(svg, /<title>metrics \[plugin, http\]: started, waited 30ms/);
    const onDemand = svg.indexOf('>on demand: RequestContext (scoped), Handler (transient, tags: plugin)</text>');
    assert.ok(onDemand > 0 && onDemand < svg.indexOf('waiting for dependencies</text>'), 'the line comes before the legend');
    const height = Number(/height="(\d+)"/.exec(svg)![1]);
    const plain = new Container({ logger: false });
    plain.register({ name: 'db', useFactory: () => ({}) });
    await plain.startAll();
    assert.equal(Number(/height="(\d+)"/.exec(plain.timeline().toSvg())![1]), height - 20 - 24, 'one row less, and no on-demand line');
    assert.doesNotMatch(plain.timeline().toSvg(), /on demand/);
    await Promise.all([container.stopAll(), plain.stopAll()]);
  });

  it('puts the tags in the trace events\' args and the on-demand services in their otherData', async () => {
    const container = await bootTagged();
    const doc = container.timeline().toTraceEvents();
    const slices = doc.traceEvents.filter((e) => e.ph === 'X');
    assert.deepEqual([...new Set(slices.map((e) => `${e.name}=${e.args!['tags'] ?? '-'}`))], ['db: start=-', 'metrics: waiting=plugin, http', 'metrics: start=plugin, http']);
    assert.equal(doc.otherData.onDemand, 'on demand: RequestContext (scoped), Handler (transient, tags: plugin)');
    assert.equal(doc.otherData.criticalPath, 'db -> metrics');
    await container.stopAll();
  });
});
