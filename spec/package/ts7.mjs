// The TypeScript 7 job: installs the native compiler (the published typescript@7) into a scratch
// prefix, builds the library, its specs and samples with it into .build/ts7/dist/ (same tsconfig), says
// how many emitted JS files are byte-identical to TypeScript 6's build in dist/ (when present),
// and runs the core specs (spec/lib, spec/decorators, spec/regressions, spec/types) on the TypeScript 7 build.
// The consumer project compiled with TypeScript 7 is in consumer-smoke.mjs.
// Usage: node spec/package/ts7.mjs   (TS7_VERSION overrides the version range, default ^7.0.2)
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root, run, scratch, Tally } from './support.mjs';

const tally = new Tally('ts7');
// under .build/, which git and eslint ignore; node still finds the repository's node_modules from
// there; the last segment is `dist` because specs recognise the library's build by it (brand.spec)
const OUT = join(root, '.build', 'ts7', 'dist');
const CORE = ['spec/lib', 'spec/decorators', 'spec/regressions', 'spec/types'];

const prefix = scratch('ts7');
const install = run('npm', ['install', '--prefix', prefix, '--no-save', '--loglevel=error', `typescript@${process.env.TS7_VERSION ?? '^7.0.2'}`], { check: false, quiet: true, timeout: 240_000 });
if (install.status !== 0) {
  tally.fail('npm install typescript@7', install.stdout + install.stderr);
  tally.end();
  process.exit();
}
const tsc7 = join(prefix, 'node_modules', 'typescript', 'bin', 'tsc');
const version = run(process.execPath, [tsc7, '--version'], { quiet: true }).stdout.trim();
tally.ok(`installed ${version}`);

function files(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path, suffix) : path.endsWith(suffix) ? [path] : [];
  });
}

rmSync(OUT, { recursive: true, force: true });
await tally.check(`${version} builds the library, specs, samples and benchmarks (tsconfig.json) into .build/ts7/dist/`, () => {
  const started = performance.now();
  const r = run(process.execPath, [tsc7, '-p', 'tsconfig.json', '--outDir', OUT, '--incremental', 'false'], { check: false, quiet: true });
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  console.log(`          built in ${((performance.now() - started) / 1000).toFixed(1)}s`);
});

const emitted = files(join(OUT, 'lib'), '.js').concat(files(join(OUT, 'providers'), '.js'), files(join(OUT, 'decorators'), '.js'));
const compared = emitted.filter((f) => existsSync(join(root, 'dist', relative(OUT, f))));
if (compared.length > 0) {
  // `npm pack`'s prepack rebuilds dist/ without source maps: compare the code, not the map comment
  const code = (file) => readFileSync(file, 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '').trimEnd();
  const same = compared.filter((f) => code(f) === code(join(root, 'dist', relative(OUT, f))));
  console.log(`          ${same.length} of ${compared.length} emitted library JS files are identical to TypeScript 6's dist/ (source map comment aside)`);
  for (const f of compared.filter((x) => !same.includes(x)).slice(0, 10)) console.log(`          differs: ${relative(OUT, f)}`);
}

await tally.check('the core specs pass on the TypeScript 7 build', () => {
  const specs = CORE.flatMap((dir) => files(join(OUT, dir), '.spec.js')).filter((f) => existsSync(join(root, relative(OUT, f).replace(/\.js$/, '.ts'))));
  if (specs.length === 0) throw new Error('no compiled core spec found in .build/ts7/dist/');
  const r = run(process.execPath, ['--test', '--test-reporter=spec', '--test-timeout=120000', ...specs], {
    check: false,
    quiet: true,
    env: { BANDMASTER_LOG_LEVEL: 'silent' },
    timeout: 600_000,
  });
  const summary = (r.stdout.match(/^ℹ (tests|pass|fail) \d+$/gm) ?? []).join(', ');
  if (r.status !== 0) throw new Error(r.stdout.slice(-6000) + r.stderr.slice(-2000));
  console.log(`          ${specs.length} spec files: ${summary}`);
});

tally.end();
