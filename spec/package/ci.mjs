// CI entry of the package checks: packs the library once, then runs every check in
// spec/package/ against that tarball, each in its own process, and fails if any failed.
// Usage: node spec/package/ci.mjs [name...]   (names: package consumer runners docs typedoc)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root, tarball } from './support.mjs';

const steps = [
  ['package', [process.execPath, join(root, 'spec/package/check-package.mjs')]],
  ['consumer', [process.execPath, join(root, 'spec/package/consumer-smoke.mjs')]],
  ['runners', [process.execPath, join(root, 'spec/package/run-runners.mjs')]],
  ['docs', [process.execPath, join(root, 'spec/package/check-docs.mjs')]],
  ['typedoc', ['npx', 'typedoc', '--emit', 'none']],
];
const only = process.argv.slice(2);
const t0 = performance.now();
const tgz = tarball();
console.log(`package-ci: packed ${tgz} in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
const failed = [];
let passed = 0;
for (const [name, [cmd, ...args]] of steps) {
  if (only.length && !only.includes(name)) continue;
  const started = performance.now();
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, BANDMASTER_TARBALL: tgz } });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (r.status === 0) passed++;
  else failed.push(name);
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${seconds}s`);
}
console.log(`\npackage-ci: ${((performance.now() - t0) / 1000).toFixed(1)}s${failed.length ? `, failed: ${failed.join(', ')}` : ''}`);
console.log(`package-ci: ${passed} passed, ${failed.length} failed`);
process.exitCode = failed.length ? 1 : 0;
