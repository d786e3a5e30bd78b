// Runs the sample test suites of samples/runners/ under the test runners users have:
// Vitest (unplugin-swc), Jest (@swc/jest), node:test (tsc output), and the metadata-free
// `inject: [...]` form under tsx and under a plain esbuild bundle.
// `bandmaster` resolves to the built package (its bundles in dist/bundle/, through package.json "exports"), as it
// would from node_modules; `npm run build` (or `npm test`) must have run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, run, scratch, Tally } from './support.mjs';

const tally = new Tally('runners');
if (!existsSync(join(root, 'dist/lib/index.js')) || !existsSync(join(root, 'dist/bundle/index.js')) || !existsSync(join(root, 'dist/samples/runners/node-test/greeter.test.js'))) {
  console.log('runners: dist/ is missing or stale, building');
  run('npm', ['run', 'build', '--silent'], { check: false });
}

// the esbuild bundle goes outside the work tree (it holds bandmaster itself, no import of it)
const out = scratch('runners');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = { BANDMASTER_LOG_LEVEL: 'silent', FORCE_COLOR: '0', NO_COLOR: '1' };

const suites = [
  ['Vitest + unplugin-swc (decorator metadata from SWC)', [bin('vitest'), 'run', '--config', 'samples/runners/vitest/vitest.config.mts']],
  ['Jest + @swc/jest (decorator metadata from SWC)', [bin('jest'), '--config', 'samples/runners/jest/jest.config.cjs', '--ci']],
  ['node:test on tsc output (decorator metadata from tsc)', [process.execPath, '--test', 'dist/samples/runners/node-test/greeter.test.js']],
  ['tsx --test, inject list, TC39 decorators (no metadata)', [bin('tsx'), '--tsconfig', 'samples/runners/inject-form/tsconfig.json', '--test', 'samples/runners/inject-form/greeter.test.ts']],
  [
    'esbuild bundle, inject list, TC39 decorators (no metadata)',
    [bin('esbuild'), 'samples/runners/inject-form/greeter.test.ts', '--bundle', '--platform=node', '--target=node22', '--format=cjs', '--log-level=warning', '--tsconfig=samples/runners/inject-form/tsconfig.json', `--outfile=${join(out, 'inject-form.test.cjs')}`],
    [process.execPath, '--test', join(out, 'inject-form.test.cjs')],
  ],
];

for (const [name, ...commands] of suites) {
  await tally.check(name, () => {
    for (const [cmd, ...args] of commands) {
      const r = run(cmd, args, { check: false, quiet: true, env, timeout: 180_000 });
      if (r.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} exited with ${r.status}\n${r.stdout}${r.stderr}`);
      if (process.env.VERBOSE) console.log(r.stdout + r.stderr);
    }
  });
}

tally.end();
