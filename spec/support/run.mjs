// Runs every compiled spec under dist/ with node's test runner, plus the TC39-decorator spec,
// which is compiled on its own without experimentalDecorators.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

function specs(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...specs(path));
    else if (entry.endsWith('.spec.js')) out.push(path);
  }
  return out;
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, BANDMASTER_LOG_LEVEL: process.env.BANDMASTER_LOG_LEVEL ?? 'silent' } });
  return result.status ?? 1;
}

const tc39 = run('npx', ['tsc', '-p', 'spec/tc39/tsconfig.json']);
if (tc39 !== 0) process.exit(tc39);

// tsc never deletes the output of a deleted or renamed source: run only specs that still have one
const hasSource = (file) => existsSync(join(root, relative(root, file).replace(/^dist(-tc39)?\//, '').replace(/\.js$/, '.ts')));

const filter = process.argv.slice(2);
const files = [...specs(join(root, 'dist')), ...specs(join(root, 'dist-tc39'))]
  .filter(hasSource)
  .filter((f) => filter.length === 0 || filter.some((pattern) => f.includes(pattern)))
  .sort();
if (files.length === 0) {
  console.error('no spec files found: run `npm run build` first');
  process.exit(1);
}
process.exit(run(process.execPath, ['--test', '--test-reporter=spec', ...files]));
