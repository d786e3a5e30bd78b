import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, type TraceEvent } from '../../lib';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Timeline', () => {
  describe('toTraceEvents', () => {
    it('gives a Chrome trace with a named track per service, its wait and start slices, and the critical path', async () => {
      const container = new Container({ logger: false });
      container.register(
        { name: 'db', useFactory: async () => (await sleep(40), {}) },
        { name: 'api', deps: ['db'], useFactory: async () => (await sleep(5), {}) },
        { name: 'bad', required: false, useFactory: () => Promise.reject(new Error('ECONNREFUSED')) },
      );
      await container.startAll();
      const timeline = container.timeline();
      const doc = timeline.toTraceEvents();
      // a document viewers load: JSON round trip, µs integers, every slice inside the boot
      const parsed = JSON.parse(JSON.stringify(doc)) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
      assert.equal(parsed.displayTimeUnit, 'ms');
      const tracks = new Map(parsed.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.args!['name'], e.tid]));
      assert.deepEqual([...tracks.keys()].sort(), ['api', 'bad', 'db']);
      const slices = parsed.traceEvents.filter((e) => e.ph === 'X');
      for (const s of slices) {
        assert.ok(Number.isInteger(s.ts) && Number.isInteger(s.dur) && s.dur! >= 0, JSON.stringify(s));
        assert.ok(s.ts + s.dur! <= Math.round(timeline.totalMs * 1000) + 1, JSON.stringify(s));
      }
      const api = slices.filter((s) => s.tid === tracks.get('api'));
      assert.deepEqual(api.map((s) => s.name), ['api: waiting', 'api: start']);
      assert.ok(api[0]!.dur! >= 35_000, `api waited ${api[0]!.dur} µs for db`);
      assert.ok(api.every((s) => s.cat!.endsWith(',critical')));
      const bad = slices.filter((s) => s.tid === tracks.get('bad')).at(-1)!;
      assert.equal(bad.name, 'bad: failed');
      assert.equal(bad.args!['error'], 'ECONNREFUSED');
      assert.equal(bad.cat, 'failed');
      assert.equal(doc.otherData.criticalPath, 'db -> api');
      await container.stopAll();
    });

    it('is an empty trace before any boot', () => {
      const doc = new Container({ logger: false }).timeline().toTraceEvents();
      assert.deepEqual(doc.traceEvents.filter((e) => e.ph === 'X'), []);
    });
  });
});
