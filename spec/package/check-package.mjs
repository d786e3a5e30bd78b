// The published shape: what `npm pack` puts in the tarball, publint, and "are the types wrong"
// for every entry point under node16 (from CJS and from ESM) and bundler resolution.
// Providers the exports map promises but nobody has written yet (no providers/<name>/index.ts)
// are reported as skipped; everything else must pass.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pkg, promisedProviders, root, run, scratch, tarball, Tally, writtenProviders } from './support.mjs';

const tally = new Tally('package');
const written = new Set(writtenProviders());
const pending = promisedProviders.filter((p) => !written.has(p));
const isPendingPath = (path) => pending.some((p) => path.includes(`providers/${p}/`) || path === `./providers/${p}`);

const tgz = tarball();
const files = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
  .map((f) => f.replace(/^package\//, ''));
console.log(`package: ${tgz} (${files.length} files)`);
for (const p of pending) tally.skip(`./providers/${p}`, 'not written yet (no providers/' + p + '/index.ts)');

const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^CHANGELOG\.md$/,
  /^dist\/bundle\/.+\.js$/,
  /^dist\/(lib|decorators|providers)\/.+\.d\.ts$/,
];
// the entries of the exports map: the bundle each runs ("default") and its declarations ("types")
const entryFiles = Object.entries(pkg.exports)
  .filter(([key]) => key !== './package.json' && !isPendingPath(key))
  .map(([key, t]) => ({ key, bundle: t.default.replace(/^\.\//, ''), types: t.types.replace(/^\.\//, '') }));

await tally.check('the tarball holds only the bundles, declarations, README, LICENSE, CHANGELOG and package.json', () => {
  const extra = files.filter((f) => !ALLOWED.some((re) => re.test(f)) || /\.spec\.|\/spec\/|\.map$|tsbuildinfo/.test(f));
  if (extra.length) throw new Error(`unexpected files:\n${extra.join('\n')}`);
});

await tally.check('README, LICENSE and CHANGELOG are in the tarball', () => {
  const missing = ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'].filter((f) => !files.includes(f));
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
});

await tally.check('every packed declaration file has a source file (no stale build output)', () => {
  const stale = files.filter((f) => f.endsWith('.d.ts')).filter((f) => !existsSync(join(root, f.replace(/^dist\//, '').replace(/\.d\.ts$/, '.ts'))));
  if (stale.length) throw new Error(`built from sources that no longer exist (rebuild dist/):\n${stale.join('\n')}`);
});

await tally.check('every entry of the exports map ships its bundle and its declarations, and no other JS is packed', () => {
  const problems = [];
  for (const e of entryFiles) for (const f of [e.bundle, e.types]) if (!files.includes(f)) problems.push(`${e.key}: ${f} is not in the tarball`);
  const bundles = new Set(entryFiles.map((e) => e.bundle));
  for (const f of files.filter((x) => x.endsWith('.js') && !bundles.has(x))) problems.push(`${f} is packed but no entry runs it`);
  if (pkg.main !== pkg.exports['.'].default) problems.push(`"main" (${pkg.main}) is not the main entry's bundle (${pkg.exports['.'].default})`);
  if (problems.length) throw new Error(problems.join('\n'));
});

await tally.check('every provider folder is in the exports map, and every written provider is packed', () => {
  const problems = [];
  for (const p of written) {
    if (!pkg.exports[`./providers/${p}`]) problems.push(`providers/${p} has no "./providers/${p}" entry in package.json exports`);
    const entry = pkg.exports[`./providers/${p}`];
    for (const f of [entry?.default, entry?.types].filter(Boolean).map((x) => x.replace(/^\.\//, ''))) if (!files.includes(f)) problems.push(`${f} is not in the tarball`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
});

await tally.check('package.json: semver version, engines, CommonJS, reflect-metadata required, client libraries optional peers', () => {
  const problems = [];
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(pkg.version)) problems.push(`version ${pkg.version} is not semver`);
  if (pkg.engines?.node !== '>=22.12') problems.push(`engines.node is ${pkg.engines?.node}, not >=22.12 (Node 22.12+, 24 and 26 are supported and tested)`);
  if (pkg.type !== 'commonjs') problems.push('"type" should be "commonjs" (a deliberate CJS-only package)');
  if (!pkg.peerDependencies?.['reflect-metadata'] || pkg.peerDependenciesMeta?.['reflect-metadata']?.optional) problems.push('reflect-metadata must be a required peer');
  const clients = ['ioredis', 'memjs', 'cassandra-driver', 'nats', 'kafkajs', '@elastic/elasticsearch', 'pg', '@opentelemetry/api'];
  for (const c of clients) {
    if (!pkg.peerDependencies?.[c]) problems.push(`${c} is not a peer dependency`);
    if (pkg.peerDependenciesMeta?.[c]?.optional !== true) problems.push(`${c} is not marked optional in peerDependenciesMeta`);
    if (pkg.dependencies?.[c]) problems.push(`${c} is a hard dependency`);
  }
  const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
  if (!changelog.includes(`## [${pkg.version}]`)) problems.push(`CHANGELOG.md has no "## [${pkg.version}]" section`);
  if (problems.length) throw new Error(problems.join('\n'));
});

// publint lints the unpacked tarball exactly as published
const unpacked = scratch('unpacked');
execFileSync('tar', ['-xzf', tgz, '-C', unpacked]);
const { publint } = await import('publint');
const { formatMessage } = await import('publint/utils');
const packedPkg = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8'));
const lint = await publint({ pkgDir: join(unpacked, 'package'), pack: false, level: 'suggestion', strict: true });
await tally.check('publint (strict, suggestions included)', () => {
  const real = lint.messages.filter((m) => !(m.code === 'FILE_DOES_NOT_EXIST' && isPendingPath(m.path.join('/') + '/') && m.path[0] === 'exports'));
  if (real.length) throw new Error(real.map((m) => `${m.type}: ${formatMessage(m, packedPkg, { color: false })}`).join('\n'));
});

// attw: every entry point under node10 (TypeScript's `module: commonjs`, through typesVersions),
// node16 from CJS and from ESM, and bundler
const entrypoints = Object.keys(pkg.exports).filter((e) => e !== './package.json' && !isPendingPath(e));
const attw = run('npx', ['attw', tgz, '--profile', 'strict', '--format', 'json', '--entrypoints', ...entrypoints], { check: false, quiet: true });
let report;
try {
  report = JSON.parse(attw.stdout);
} catch {
  tally.fail('attw ran', attw.stdout + attw.stderr);
}
if (report) {
  const resolutions = ['node10', 'node16-cjs', 'node16-esm', 'bundler'];
  for (const entry of entrypoints) {
    await tally.check(`attw: ${entry === '.' ? 'bandmaster' : `bandmaster/${entry.slice(2)}`} resolves with types under ${resolutions.join(', ')}`, () => {
      const info = report.analysis.entrypoints[entry];
      const problems = (report.analysis.problems ?? []).filter((p) => p.entrypoint === entry);
      const lines = problems.map((p) => `${p.kind} (${p.resolutionKind ?? 'all'})`);
      for (const r of resolutions) if (!info?.resolutions?.[r]?.resolution?.isTypeScript) lines.push(`no type declarations under ${r}`);
      if (lines.length) throw new Error(lines.join('\n'));
    });
  }
  const global = (report.analysis.problems ?? []).filter((p) => !p.entrypoint);
  if (global.length) tally.fail('attw: package-wide problems', global.map((p) => p.kind).join('\n'));
}

tally.end();
