// Runs every compiled spec under dist/ with node's test runner, plus the TC39-decorator spec,
// which is compiled on its own without experimentalDecorators.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
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

// The whole suite needs the local servers and kcat: say what is missing in seconds, instead of
// letting a hundred specs time out one by one.
const SERVERS = [
  ['PostgreSQL', 5432, 'apt-get install -y postgresql'],
  ['Redis', 6379, 'apt-get install -y redis-server'],
  ['NATS', 4222, 'apt-get install -y nats-server'],
  ['memcached', 11211, 'apt-get install -y memcached'],
];
const answers = (port) =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

async function preflight() {
  const missing = [];
  for (const [name, port, install] of SERVERS) if (!(await answers(port))) missing.push(`${name} is not answering on 127.0.0.1:${port} (install: ${install})`);
  const kcat = spawnSync('kcat', ['-V'], { stdio: 'ignore', timeout: 5_000 });
  if (kcat.error || kcat.status !== 0) missing.push('kcat is not installed: its librdkafka mock cluster is the Kafka broker of the tests (install: apt-get install -y kcat)');
  if (missing.length === 0) return;
  console.error(`npm test needs the local servers and tools:\n  - ${missing.join('\n  - ')}\n\`npm run services\` installs and starts them (as root, with apt-get), or \`docker compose up -d\` starts the servers.`);
  process.exit(1);
}

const filter = process.argv.slice(2);
// a filtered run is a developer running a few specs: they know what those need
if (filter.length === 0 && process.env.BANDMASTER_TEST_PREFLIGHT !== 'off') await preflight();

const tc39 = run('npx', ['tsc', '-p', 'spec/tc39/tsconfig.json']);
if (tc39 !== 0) process.exit(tc39);

// tsc never deletes the output of a deleted or renamed source: run only specs that still have one
const hasSource = (file) => existsSync(join(root, relative(root, file).replace(/^dist(-tc39)?\//, '').replace(/\.js$/, '.ts')));

const files = [...specs(join(root, 'dist')), ...specs(join(root, 'dist-tc39'))]
  .filter(hasSource)
  .filter((f) => filter.length === 0 || filter.some((pattern) => f.includes(pattern)))
  .sort();
if (files.length === 0) {
  console.error('no spec files found: run `npm run build` first');
  process.exit(1);
}
process.exit(run(process.execPath, ['--test', '--test-reporter=spec', ...files]));
