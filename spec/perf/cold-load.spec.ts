import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// What `require('bandmaster')` loads is paid by every process start (each deploy, each test
// file). With class-validator and its validator and phone-number tables, a cold load took
// ~140–190 ms here, ~15–30 ms without; it is loaded only when a config is validated. Checked by
// module, never by time.

const lib = join(__dirname, '../../lib');

/** The packages (under node_modules) a fresh process has loaded once `code` (an async function body) has finished. */
function loadedPackages(code: string): string[] {
  const script = `require('reflect-metadata');
    (async () => { ${code} })().then(() => {
    const names = new Set(Object.keys(require.cache).map((f) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f)?.[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...names].sort())); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: join(__dirname, '../../..'), encoding: 'utf8' })) as string[];
}

describe('cold load', () => {
  it('require(bandmaster) and a boot with logging off load no package but reflect-metadata', () => {
    const loaded = loadedPackages(`const { Container } = require(${JSON.stringify(lib)});
      const c = new Container({ logger: false });
      c.register({ name: 'a', useFactory: () => ({}) });
      await c.startAll();
      await c.stopAll();`);
    assert.deepEqual(loaded, ['reflect-metadata']);
  });

  it('require(bandmaster) and a boot compile neither the timeline, the graph view, health checks nor the dashboard; nor node:os, nor node:diagnostics_channel on load', () => {
    // builtins a bare process already has (Node 22 loads diagnostics_channel itself) are not ours
    const script = `require('reflect-metadata');
      const before = new Set(process.moduleLoadList);
      const { Container } = require(${JSON.stringify(lib)});
      const ours = (m) => !before.has(m) && / (os|diagnostics_channel)$/.test(m);
      const onLoad = process.moduleLoadList.filter(ours);
      (async () => {
        const c = new Container({ logger: false });
        c.register({ name: 'a', useFactory: () => ({}) });
        await c.startAll();
        await c.stopAll();
        const files = Object.keys(require.cache).map((f) => f.split(/[\\\\/]/).slice(-2).join('/'));
        process.stdout.write(JSON.stringify({ files, builtins: [...new Set([...onLoad, ...process.moduleLoadList.filter((m) => ours(m) && / os$/.test(m))])] }));
      })();`;
    const { files, builtins } = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: join(__dirname, '../../..'), encoding: 'utf8' })) as { files: string[]; builtins: string[] };
    assert.ok(files.includes('lib/container.js'), files.join(', '));
    for (const lazy of ['ops/timeline.js', 'ops/timeline-svg.js', 'graph/view.js', 'ops/health.js', 'ops/dashboard-state.js', 'ops/trace-events.js']) assert.ok(!files.includes(lazy), `${lazy} loaded`);
    assert.deepEqual(builtins, []);
  });

  it('loads class-validator and class-transformer once a config is read from the environment', () => {
    const loaded = loadedPackages(`const { loadEnv } = require(${JSON.stringify(lib)});
      class Config { host = 'localhost'; }
      loadEnv(Config, 'COLD_LOAD_SPEC', {})`);
    assert.ok(loaded.includes('class-validator'), loaded.join(', '));
    assert.ok(loaded.includes('class-transformer'), loaded.join(', '));
  });
});
