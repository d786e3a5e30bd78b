// The bundles `npm run build` writes into dist/bundle/ (spec/package/bundle.mjs), which the package
// runs: builds nothing itself, reads the metafile the build wrote beside them and loads them in
// fresh processes. The installed tarball is checked by spec/package/consumer-smoke.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const BUNDLES = join(ROOT, 'dist', 'bundle');

interface Entry {
  readonly key: string;
  readonly input: string;
  readonly output: string;
  readonly home: string;
}
interface Metafile {
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, { readonly imports: readonly { readonly path: string; readonly external?: boolean }[] }>;
}
interface Written {
  readonly entries: readonly Entry[];
  readonly metafiles: Record<string, Metafile>;
}

function written(): Written {
  const file = join(BUNDLES, 'metafile.json');
  assert.ok(existsSync(file), `${file} is missing: run npm run build`);
  return JSON.parse(readFileSync(file, 'utf8')) as Written;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; exports: Record<string, { types: string; default: string } | string> };
const LIB = ['dist/lib/', 'dist/decorators/'];

/** Runs `script` (CommonJS) in a fresh Node process in the root; returns its stdout, parsed. */
function child(script: string, esm = false): unknown {
  const r = spawnSync(process.execPath, [...(esm ? ['--input-type=module'] : []), '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BANDMASTER_LOG_LEVEL: 'silent' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

describe('the package bundles', () => {
  it('are one per entry of the exports map, where its "default" and "main" point, beside the tsc declarations', () => {
    const { entries } = written();
    const exported = Object.entries(pkg.exports).filter(([key]) => key !== './package.json');
    assert.deepEqual(
      entries.map((e) => [e.key, `./${e.output}`]),
      exported.map(([key, t]) => [key, typeof t === 'string' ? t : t.default]),
    );
    assert.equal(pkg.main, pkg.exports['.'] && typeof pkg.exports['.'] === 'object' ? pkg.exports['.'].default : undefined);
    for (const e of entries) {
      assert.ok(existsSync(join(ROOT, e.output)), `${e.output} was not written`);
      const types = pkg.exports[e.key];
      assert.ok(typeof types === 'object' && types.types.endsWith('.d.ts') && existsSync(join(ROOT, types.types)), `${e.key}: its types are not tsc's declarations`);
    }
  });

  it('hold lib and the decorators in the main bundle, which requires no other entry', () => {
    const { entries, metafiles } = written();
    const main = entries.find((e) => e.key === '.')!;
    const inputs = Object.keys(metafiles['.']!.inputs);
    for (const file of ['dist/lib/index.js', 'dist/lib/container.js', 'dist/decorators/index.js']) assert.ok(inputs.includes(file), `${file} is not in the main bundle`);
    const relative = metafiles['.']!.outputs[main.output]!.imports.filter((i) => i.path.startsWith('.'));
    assert.deepEqual(relative, []);
  });

  it('require the main bundle from every other bundle, which carries no module of lib or the decorators but its own folder', () => {
    const { entries, metafiles } = written();
    const mainInputs = new Set(Object.keys(metafiles['.']!.inputs));
    const main = entries.find((e) => e.key === '.')!;
    const others = entries.filter((e) => e.key !== '.');
    assert.ok(others.length >= 4, 'the testing, fastify, nest and provider entries');
    for (const e of others) {
      const meta = metafiles[e.key]!;
      const up = posix.relative(posix.dirname(e.output), main.output);
      const mainPath = up.startsWith('.') ? up : `./${up}`;
      const requires = meta.outputs[e.output]!.imports.filter((i) => i.external).map((i) => i.path);
      assert.ok(requires.includes(mainPath), `${e.output} does not require the main bundle (${mainPath}): ${requires.join(', ')}`);
      assert.match(readFileSync(join(ROOT, e.output), 'utf8'), new RegExp(`require\\("${mainPath.replace(/\./g, '\\.')}"\\)`));
      for (const input of Object.keys(meta.inputs)) {
        assert.ok(!mainInputs.has(input), `${e.output} holds ${input}, a module of the main bundle`);
        if (LIB.some((d) => input.startsWith(d))) assert.ok(input.startsWith(`${e.home}/`), `${e.output} holds ${input}, outside its own folder ${e.home}`);
      }
    }
  });

  it("load as one copy of lib: a provider's and the testing entry's errors are the main bundle's, and only bundles are loaded", () => {
    const out = child(`
      require('reflect-metadata');
      const main = require('./dist/bundle/index.js');
      const { sql } = require('./dist/bundle/providers/sql.js');
      const { checkConformance } = require('./dist/bundle/testing.js');
      let provider;
      try { sql({ name: 'sql-bad', config: { port: -1 } }); } catch (err) { provider = err; }
      checkConformance(() => class Plain {}).catch((testing) => {
        const ours = (e) => ({ brand: main.isBandmasterError(e), instance: e instanceof main.BandmasterError, kind: e && e.kind });
        const files = Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(join(ROOT, 'dist'))})).map((f) => f.slice(${JSON.stringify(ROOT.length + 1)})).sort();
        process.stdout.write(JSON.stringify({ provider: ours(provider), testing: ours(testing), files }));
      });
    `);
    assert.deepEqual(out, {
      provider: { brand: true, instance: true, kind: 'InvalidConfig' },
      testing: { brand: true, instance: true, kind: 'ServiceWithoutDecorator' },
      files: ['dist/bundle/index.js', 'dist/bundle/providers/sql.js', 'dist/bundle/testing.js'],
    });
  });

  it('keep the name of every class and function they export, as tsc emitted it (a class that names itself included)', () => {
    const { entries } = written();
    const out = child(`
      require('reflect-metadata');
      const entries = ${JSON.stringify(entries.map((e) => [join(ROOT, e.output), join(ROOT, e.input)]))};
      const renamed = [];
      for (const [bundle, emitted] of entries) {
        const ours = require(bundle), theirs = require(emitted);
        for (const [key, value] of Object.entries(theirs)) {
          if (typeof value === 'function' && ours[key].name !== value.name) renamed.push(key + ': ' + ours[key].name + ' instead of ' + value.name);
        }
      }
      process.stdout.write(JSON.stringify(renamed));
    `);
    assert.deepEqual(out, []);
  });

  it('give an ES module every name the CommonJS bundle exports', () => {
    const { entries } = written();
    const out = child(
      `import 'reflect-metadata';
      import { createRequire } from 'node:module';
      const require = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
      const files = ${JSON.stringify(entries.map((e) => join(ROOT, e.output)))};
      const missing = {};
      for (const file of files) {
        const names = Object.keys(await import(file)).filter((n) => n !== 'default');
        const lost = Object.keys(require(file)).filter((n) => !names.includes(n));
        if (lost.length || names.length === 0) missing[file] = lost.length ? lost : ['(no names at all)'];
      }
      process.stdout.write(JSON.stringify(missing));`,
      true,
    );
    assert.deepEqual(out, {});
  });
});
