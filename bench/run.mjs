// `npm run bench`: installs the peer containers into bench/node_modules when they are missing,
// compiles the bench into .build/bench, and runs it. Arguments go to bench/main.ts (--quick, ...).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = dirname(fileURLToPath(import.meta.url));
const root = join(bench, '..');
const out = join(root, '.build', 'bench');

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function peersInstalled() {
  const { devDependencies } = JSON.parse(readFileSync(join(bench, 'package.json'), 'utf8'));
  return Object.keys(devDependencies).every((name) => existsSync(join(bench, 'node_modules', name, 'package.json')));
}

if (!peersInstalled()) {
  console.error('# installing the peer containers into bench/node_modules');
  const lock = existsSync(join(bench, 'package-lock.json'));
  run('npm', [lock ? 'ci' : 'install', '--prefix', bench, '--no-audit', '--no-fund']);
}
if (!existsSync(join(root, 'node_modules', 'typescript'))) run('npm', ['ci', '--no-audit', '--no-fund']);

run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(bench, 'tsconfig.json')]);

// the compiled adapters import the peers from bench/node_modules: link it beside them
const link = join(out, 'bench', 'node_modules');
mkdirSync(dirname(link), { recursive: true });
rmSync(link, { force: true, recursive: true });
symlinkSync(join(bench, 'node_modules'), link, 'dir');

run(process.execPath, ['--expose-gc', join(out, 'bench', 'main.js'), ...process.argv.slice(2)], {
  env: { ...process.env, BANDMASTER_LOG_LEVEL: 'silent' },
});
