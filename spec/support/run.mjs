// Runs every compiled spec under dist/ with node's test runner, plus the TC39-decorator spec,
// which is compiled on its own without experimentalDecorators.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, relative } from 'node:path';

// No test may hang: one that runs longer than this fails (the slowest spec takes well under a minute).
const TEST_TIMEOUT_MS = 180_000;

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

// Fail fast, once, naming the install command, instead of one timeout per spec (or a hang) when a
// server or a tool the suite needs is missing. BANDMASTER_PREFLIGHT=0 turns this off.
const answers = (port) =>
  new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
if (process.env.BANDMASTER_PREFLIGHT !== '0') {
  const needs = [
    { what: 'kcat (the Kafka mock cluster)', ok: async () => spawnSync('kcat', ['-V'], { stdio: 'ignore', timeout: 5_000 }).status === 0, fix: 'apt-get install kcat' },
    { what: 'PostgreSQL on 127.0.0.1:5432', ok: () => answers(5432), fix: 'npm run services (or docker compose up -d postgres)' },
    { what: 'Redis on 127.0.0.1:6379', ok: () => answers(6379), fix: 'npm run services (or docker compose up -d redis)' },
    { what: 'NATS on 127.0.0.1:4222', ok: () => answers(4222), fix: 'npm run services (or docker compose up -d nats)' },
    { what: 'memcached on 127.0.0.1:11211', ok: () => answers(11211), fix: 'apt-get install memcached && npm run services (or docker compose up -d memcached)' },
  ];
  const missing = [];
  for (const need of needs) if (!(await need.ok())) missing.push(need);
  if (missing.length > 0) {
    console.error(`the test suite cannot run: missing ${missing.map((m) => m.what).join(', ')}`);
    for (const m of missing) console.error(`  ${m.what}: ${m.fix}`);
    console.error('(`bash spec/support/services.sh`, which .ci/run calls, installs and starts all of them; BANDMASTER_PREFLIGHT=0 skips this check)');
    process.exit(1);
  }
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
// Spec files run side by side, each in its own process: most of the suite's time is spent waiting
// (on servers, deadlines and backoffs), not computing, so four at a time on two cores take about a
// third of the serial run's time. BANDMASTER_TEST_CONCURRENCY=1 runs them one after another.
const concurrency = Number(process.env.BANDMASTER_TEST_CONCURRENCY ?? 4);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`BANDMASTER_TEST_CONCURRENCY must be a whole number of at least 1, not ${JSON.stringify(process.env.BANDMASTER_TEST_CONCURRENCY)}`);
  process.exit(1);
}
process.exit(run(process.execPath, ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, `--test-timeout=${TEST_TIMEOUT_MS}`, ...files]));
