import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** db is slow and on the critical path db -> repo -> api; flaky needs three attempts; bad fails. */
async function bootSample(): Promise<Container> {
  const container = new Container({ logger: false });
  let flakyCalls = 0;
  container.register(
    { name: 'db', useFactory: async () => (await sleep(300), {}) },
    { name: 'cache', useFactory: () => ({}) },
    { name: 'repo', deps: ['db'], useFactory: async () => (await sleep(20), {}) },
    { name: 'flaky', deps: ['cache'], retries: 3, backoff: 1, useFactory: () => (++flakyCalls < 3 ? Promise.reject(new Error('not yet')) : {}) },
    { name: 'api', deps: ['repo', 'flaky'], useFactory: () => ({}) },
    { name: 'bad', required: false, useFactory: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) },
    { name: 'audit', required: false, deps: ['bad'], useFactory: () => ({}) },
  );
  await container.startAll();
  return container;
}

describe('Container', () => {
  describe('timeline', () => {
    it('gives per service the wait, the start, the attempts and when it was ready, and the critical path', async () => {
      const container = await bootSample();
      const timeline = container.timeline();
      const by = new Map(timeline.entries.map((e) => [e.name, e]));
      assert.deepEqual([...by.keys()].sort(), ['api', 'audit', 'bad', 'cache', 'db', 'flaky', 'repo']);
      assert.deepEqual(timeline.criticalPath, ['db', 'repo', 'api']);
      assert.deepEqual(timeline.entries.filter((e) => e.critical).map((e) => e.name), ['db', 'repo', 'api']);
      assert.equal(by.get('flaky')?.attempts, 3);
      assert.equal(by.get('db')?.attempts, 1);
      // repo could not begin before db was ready
      assert.ok(by.get('repo')!.queuedMs + by.get('repo')!.waitedMs >= by.get('db')!.settledMs);
      assert.ok(by.get('repo')!.waitedMs >= by.get('db')!.startMs);
      assert.equal(by.get('api')!.settledMs, timeline.totalMs);
      assert.equal(by.get('bad')?.state, 'failed');
      assert.equal(by.get('bad')?.error, 'connect ECONNREFUSED 127.0.0.1:1');
      assert.equal(by.get('audit')?.attempts, 0);
      assert.equal(by.get('audit')?.startMs, 0);
      for (const e of timeline.entries) assert.ok(e.waitedMs >= 0 && e.startMs >= 0 && e.settledMs <= timeline.totalMs);
      await container.stopAll();
    });

    it('renders a text Gantt chart with one row per service, the critical path starred', async () => {
      const container = await bootSample();
      const text = container.timeline().toText({ width: 40 });
      const lines = text.split('\n');
      assert.ok(lines[0]!.startsWith('boot timeline: 7 services in '));
      assert.ok(lines[0]!.endsWith('critical path (*): db -> repo -> api'));
      assert.ok(lines[1]!.startsWith('service '));
      const rows = lines.slice(2, 9);
      assert.ok(rows.every((l) => /^\S+\s+[* ] \|/.test(l)));
      assert.ok(lines[9]!.startsWith('░ waiting'));
      const starred = rows.filter((r) => / \* \|/.test(r)).map((r) => r.split(' ')[0]);
      assert.deepEqual(starred, ['db', 'repo', 'api']);
      for (const row of rows) assert.equal(row.split('|')[1]!.length, 40);
      const api = rows.find((r) => r.startsWith('api'))!;
      assert.ok(api.split('|')[1]!.endsWith('█'), 'the last service to be ready reaches the end of the axis');
      assert.ok(rows.find((r) => r.startsWith('bad'))!.endsWith('failed'));
      assert.ok(lines.includes('  bad: connect ECONNREFUSED 127.0.0.1:1'));
      await container.stopAll();
    });

    it('renders one self-contained SVG document, escaping names', async () => {
      const container = new Container({ logger: false });
      container.register({ name: '<script>alert("x")</script>', useFactory: () => ({}) }, { name: 'db & co', useFactory: () => ({}) });
      await container.startAll();
      const svg = container.timeline().toSvg();
      assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
      assert.ok(svg.trimEnd().endsWith('</svg>'));
      assert.equal(svg.includes('<script'), false);
      assert.ok(svg.includes('&#60;script&#62;'));
      assert.ok(svg.includes('db &#38; co'));
      assert.equal(/\b(href|src)=/.test(svg), false, 'no external reference');
      assert.equal((svg.match(/<title>/g) ?? []).length, 2);
      await container.stopAll();
    });

    it('is empty before any boot', () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}) });
      const timeline = container.timeline();
      assert.deepEqual([timeline.entries.length, timeline.totalMs, timeline.criticalPath.length], [0, 0, 0]);
      assert.equal(timeline.toText(), 'boot timeline: no service has been through a boot yet');
      assert.ok(timeline.toSvg().includes('</svg>'));
    });
  });
});
