// Consumer smoke test: installs the packed library into a scratch project in a temp dir, the way a
// user would, and from there compiles with tsc (experimentalDecorators + emitDecoratorMetadata)
// and runs a small app that uses decorators and the sql provider against the local PostgreSQL:
// once as an ES module ("type": "module", module nodenext), once as CommonJS. It also type-checks
// the app under bundler resolution, and checks that a provider whose client library is not
// installed (redis without ioredis) fails with an error naming the package to install. Then the
// compilers: TypeScript 7 compiles the app; TypeScript 5.9 with `module: commonjs` (node10
// resolution) resolves every entry point (typesVersions); and a consumer without Node's types
// (`types: []`, skipLibCheck off) compiles on TypeScript 5.9, 6 and 7.
//
// Both projects share one node_modules (one install): each has its own package.json "type".
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pkg, root, run, scratch, tarball, Tally } from './support.mjs';

const tally = new Tally('consumer');
const tgz = tarball();
const dir = scratch('consumer');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const SQL_URL = process.env.BANDMASTER_SMOKE_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
console.log(`consumer: scratch project in ${dir}`);

writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }, null, 2));
const install = run(
  'npm',
  ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tgz, 'reflect-metadata@^0.2', 'pg@^8', '@types/pg@^8', '@types/node@^22', 'typescript59@npm:typescript@~5.9', 'typescript7@npm:typescript@^7.0.2'],
  { cwd: dir, check: false, quiet: true, timeout: 240_000 },
);
if (install.status !== 0) {
  tally.fail('npm install of the tarball into a scratch project', install.stdout + install.stderr);
  tally.end();
  process.exit();
}
tally.ok('npm install of the tarball, reflect-metadata, pg (no other client library)');

const APP = `import 'reflect-metadata';
import { BandmasterError, BootError, Container, Inject, Optional, Service, type OnStart, type OnStop } from 'bandmaster';
import { sql, type Pool } from 'bandmaster/providers/sql';

@Service()
class Clock {
  now(): number {
    return Date.now();
  }
}

@Service({ retries: 1, backoff: 50 })
class Users implements OnStart, OnStop {
  count = -1;
  constructor(
    @Inject('sql-1') private readonly pool: Pool,
    readonly clock: Clock,
    @Optional() @Inject('audit') readonly audit?: { log(line: string): void },
  ) {}

  async onStart(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const { rows } = await this.pool.query<{ n: number }>('SELECT 1 + 1 AS n');
    this.count = rows[0]!.n;
  }

  onStop(): void {
    this.count = -1;
  }
}

async function main(): Promise<void> {
  const container = new Container({ logger: false });
  container.register(sql({ name: 'sql-1', env: 'SMOKE_SQL' }));
  container.scan(Users);
  try {
    await container.startAll({ timeout: 15_000 });
  } catch (err) {
    if (err instanceof BootError) console.error(err.report.toString());
    throw err;
  }
  const users = container.resolve(Users);
  if (users.count !== 2) throw new Error('onStart did not query PostgreSQL: ' + users.count);
  if (!(users.clock instanceof Clock)) throw new Error('the class dependency was not injected from design:paramtypes');
  if (users.audit !== undefined) throw new Error('an @Optional() dependency that is not registered must be undefined');
  if (container.resolve('sql-1') !== container.get('sql-1')) throw new Error('resolve and get disagree');
  try {
    container.resolve('nope');
    throw new Error('resolve of an unknown service did not throw');
  } catch (err) {
    if (!(err instanceof BandmasterError) || err.kind !== 'ServiceUnknown') throw err;
  }
  await container.stopAll({ timeout: 15_000 });
  console.log('consumer app: ok (' + users.constructor.name + ' started against PostgreSQL and stopped)');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
`;

// Plain JavaScript: no types of a client library that is not installed are needed to run it.
const MISSING_PEER = (esm) => `${esm ? "import 'reflect-metadata';\nimport { Container } from 'bandmaster';\nimport { redis } from 'bandmaster/providers/redis';" : "require('reflect-metadata');\nconst { Container } = require('bandmaster');\nconst { redis } = require('bandmaster/providers/redis');"}

function messages(err, out = []) {
  if (!err || out.length > 20) return out;
  out.push(String(err.message));
  for (const e of err.errors ?? []) messages(e, out);
  return messages(err.cause, out);
}

async function main() {
  const container = new Container({ logger: false });
  try {
    container.register(redis({ name: 'rd-1' }));
    await container.startAll({ timeout: 5000 });
  } catch (err) {
    const all = messages(err);
    const line = all.filter((m) => m.includes('npm install ioredis')).at(-1);
    if (!line) throw new Error('the error does not say to install ioredis: ' + all.join(' | '));
    console.log('missing peer: ok (' + line + ')');
    return;
  }
  throw new Error('the redis provider started without ioredis installed');
}
main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
`;

// One copy of the library in the installed package: every entry is one bundle, and the entries
// other than the main one require the main bundle instead of carrying lib. Plain JavaScript, run
// as an ES module and as CommonJS: a provider and `bandmaster/testing` work with the main entry's
// Container, errors and global logger, and the process loaded one file per entry, each a bundle.
const ONE_COPY = (esm) => `${
  esm
    ? "import 'reflect-metadata';\nimport { createRequire } from 'node:module';\nimport { BandmasterError, Container, isBandmasterError, setGlobalLogger } from 'bandmaster';\nimport { sql } from 'bandmaster/providers/sql';\nimport { checkConformance } from 'bandmaster/testing';\nconst require = createRequire(import.meta.url);"
    : "require('reflect-metadata');\nconst { BandmasterError, Container, isBandmasterError, setGlobalLogger } = require('bandmaster');\nconst { sql } = require('bandmaster/providers/sql');\nconst { checkConformance } = require('bandmaster/testing');"
}

function ours(err, kind, what) {
  if (!isBandmasterError(err)) throw new Error(what + ': isBandmasterError from the main entry does not recognise ' + err);
  if (!(err instanceof BandmasterError)) throw new Error(what + ': not an instance of the main entry\\'s BandmasterError (a second copy of lib): ' + err);
  if (err.kind !== kind) throw new Error(what + ': kind ' + err.kind + ', expected ' + kind);
}

async function main() {
  // an error thrown by the provider entry (its configuration is validated when the factory is called)
  try {
    sql({ name: 'sql-bad', config: { port: -1 } });
    throw new Error('sql() accepted port -1');
  } catch (err) {
    ours(err, 'InvalidConfig', 'bandmaster/providers/sql');
  }
  // an error thrown by bandmaster/testing (its container refuses a class without @Service)
  let failed;
  await checkConformance(() => class Plain {}).catch((err) => (failed = err));
  ours(failed, 'ServiceWithoutDecorator', 'bandmaster/testing');

  // the provider passes the conformance check of bandmaster/testing against the real server
  await checkConformance(() => sql({ name: 'sql-conformance', env: 'SMOKE_SQL' }), { timeout: 15000 });

  // setGlobalLogger from the main entry reaches the provider: a container without a logger of its
  // own gives its provider hooks the global one, and the sql provider logs a dropped connection
  const lines = [];
  const capture = (level) => (message, fields) => void lines.push({ level, message, service: fields && fields.service });
  setGlobalLogger({ error: capture('error'), warn: capture('warn'), info: capture('info'), debug: capture('debug') });
  const container = new Container();
  container.register(sql({ name: 'sql-1', env: 'SMOKE_SQL' }));
  await container.startAll({ timeout: 15000 });
  if (!lines.some((l) => l.message === 'service successfully started' && l.service === 'sql-1')) throw new Error('the global logger did not get the boot: ' + JSON.stringify(lines));
  const pool = container.resolve('sql-1');
  const clients = [await pool.connect(), await pool.connect()];
  const { rows } = await clients[0].query('SELECT pg_backend_pid() AS pid');
  for (const c of clients) c.release();
  // the pool hands out its last released client: the other one's backend is terminated, idle
  await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
  for (let i = 0; i < 100 && !lines.some((l) => l.message.startsWith('sql connection lost')); i++) await new Promise((r) => setTimeout(r, 50));
  const lost = lines.find((l) => l.message.startsWith('sql connection lost'));
  if (!lost || lost.level !== 'warn' || lost.service !== 'sql-1') throw new Error('the provider did not log through the global logger: ' + JSON.stringify(lines));
  await container.stopAll({ timeout: 15000 });

  // one file per entry, each a bundle: nothing of dist/lib was loaded
  const files = Object.keys(require.cache).filter((f) => f.includes('/node_modules/bandmaster/')).map((f) => f.slice(f.indexOf('/node_modules/bandmaster/') + 25)).sort();
  const expected = ['dist/bundle/index.js', 'dist/bundle/providers/sql.js', 'dist/bundle/testing.js'];
  if (JSON.stringify(files) !== JSON.stringify(expected)) throw new Error('loaded from the package: ' + files.join(', ') + '; expected ' + expected.join(', '));
  console.log('one copy: ok (' + files.join(', ') + ')');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
`;

const TSCONFIG = (extra) =>
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        strict: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        skipLibCheck: false,
        types: ['node'],
        outDir: 'out',
        ...extra,
      },
      files: ['app.ts'],
    },
    null,
    2,
  );

const projects = [
  { name: 'esm', type: 'module', options: { module: 'nodenext', moduleResolution: 'nodenext' }, peerFile: 'missing-peer.js', copyFile: 'one-copy.js' },
  { name: 'cjs', type: 'commonjs', options: { module: 'nodenext', moduleResolution: 'nodenext' }, peerFile: 'missing-peer.js', copyFile: 'one-copy.js' },
];

for (const p of projects) {
  const pdir = join(dir, p.name);
  mkdirSync(pdir);
  writeFileSync(join(pdir, 'package.json'), JSON.stringify({ name: `consumer-${p.name}`, private: true, type: p.type }, null, 2));
  writeFileSync(join(pdir, 'tsconfig.json'), TSCONFIG(p.options));
  writeFileSync(join(pdir, 'app.ts'), APP);
  writeFileSync(join(pdir, p.peerFile), MISSING_PEER(p.type === 'module'));
  writeFileSync(join(pdir, p.copyFile), ONE_COPY(p.type === 'module'));
  await tally.check(`${p.name}: tsc compiles the app against the installed package (declarations included, skipLibCheck off)`, () => {
    const r = run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: pdir, check: false, quiet: true });
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  });
  await tally.check(`${p.name}: the app boots with decorator metadata, queries PostgreSQL and shuts down`, () => {
    const r = run(process.execPath, ['out/app.js'], { cwd: pdir, check: false, quiet: true, env: { SMOKE_SQL_URL: SQL_URL, BANDMASTER_LOG_LEVEL: 'silent' }, timeout: 60_000 });
    if (r.status !== 0 || !r.stdout.includes('consumer app: ok')) throw new Error(r.stdout + r.stderr);
  });
  await tally.check(`${p.name}: a provider without its client library fails naming the package to install`, () => {
    const r = run(process.execPath, [p.peerFile], { cwd: pdir, check: false, quiet: true, timeout: 30_000 });
    if (r.status !== 0 || !r.stdout.includes('missing peer: ok')) throw new Error(r.stdout + r.stderr);
    console.log(`          ${r.stdout.trim()}`);
  });
  await tally.check(`${p.name}: one copy of lib: a provider and bandmaster/testing share the main entry's Container, errors and global logger (PostgreSQL), and each entry loads one bundle`, () => {
    const r = run(process.execPath, [p.copyFile], { cwd: pdir, check: false, quiet: true, env: { SMOKE_SQL_URL: SQL_URL, BANDMASTER_LOG_LEVEL: 'silent' }, timeout: 60_000 });
    if (r.status !== 0 || !r.stdout.includes('one copy: ok')) throw new Error(r.stdout + r.stderr);
    console.log(`          ${r.stdout.trim()}`);
  });
}

// bundler resolution (Vite, esbuild, webpack users): type-check only
const bdir = join(dir, 'bundler');
mkdirSync(bdir);
cpSync(join(dir, 'esm', 'app.ts'), join(bdir, 'app.ts'));
writeFileSync(join(bdir, 'package.json'), JSON.stringify({ name: 'consumer-bundler', private: true, type: 'module' }));
writeFileSync(join(bdir, 'tsconfig.json'), TSCONFIG({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }));
await tally.check('bundler resolution: tsc type-checks the app', () => {
  const r = run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: bdir, check: false, quiet: true });
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
});

const compilers = {
  'TypeScript 5.9': join(dir, 'node_modules', 'typescript59', 'bin', 'tsc'),
  'TypeScript 6': tsc,
  'TypeScript 7': join(dir, 'node_modules', 'typescript7', 'bin', 'tsc'),
};
function compile(compiler, cwd) {
  const r = run(process.execPath, [compilers[compiler], '-p', 'tsconfig.json'], { cwd, check: false, quiet: true });
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
}

await tally.check('TypeScript 7 compiles the ESM app (nodenext, skipLibCheck off)', () => {
  const r = run(process.execPath, [compilers['TypeScript 7'], '-p', 'tsconfig.json', '--outDir', 'out-ts7'], { cwd: join(dir, 'esm'), check: false, quiet: true });
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
});

// TypeScript 5 with `module: commonjs` resolves like node10: no exports map, only typesVersions
const ENTRY_POINTS = Object.keys(pkg.exports).filter((e) => e !== './package.json').map((e) => (e === '.' ? 'bandmaster' : `bandmaster/${e.slice(2)}`));
const ndir = join(dir, 'node10');
mkdirSync(ndir);
writeFileSync(join(ndir, 'package.json'), JSON.stringify({ name: 'consumer-node10', private: true }));
writeFileSync(join(ndir, 'app.ts'), ENTRY_POINTS.map((e, i) => `import type * as entry${i} from '${e}';\nexport type Entry${i} = typeof entry${i};\n`).join(''));
// skipLibCheck on: the providers' declarations need their client libraries' types, not installed here
writeFileSync(join(ndir, 'tsconfig.json'), TSCONFIG({ module: 'commonjs', skipLibCheck: true, noEmit: true }));
await tally.check(`TypeScript 5.9, module commonjs (node10): all ${ENTRY_POINTS.length} entry points resolve with types`, () => compile('TypeScript 5.9', ndir));

// TypeScript 6/7 default to `types: []`: the declarations must not need @types/node
const APP_WITHOUT_NODE = `import { Container, handleSignals, healthHandler, loadEnv, token, type LifecycleEvent } from 'bandmaster';
import { checkConformance } from 'bandmaster/testing';

const greeting = token<string>('greeting');
const container = new Container({ logger: false });
container.register({ name: greeting, useValue: 'hello' });
export const handler = healthHandler(container);
export const stop = handleSignals(container, { signals: ['SIGTERM'] });
export const env: Record<string, string | undefined> = {};
export const load = loadEnv;
export const conformance = checkConformance;
export function onEvent(e: LifecycleEvent): string {
  return e.type;
}
`;
const tdir = join(dir, 'no-node-types');
mkdirSync(tdir);
writeFileSync(join(tdir, 'package.json'), JSON.stringify({ name: 'consumer-no-node-types', private: true, type: 'module' }));
writeFileSync(join(tdir, 'app.ts'), APP_WITHOUT_NODE);
writeFileSync(join(tdir, 'tsconfig.json'), TSCONFIG({ module: 'nodenext', moduleResolution: 'nodenext', types: [], noEmit: true }));
for (const compiler of Object.keys(compilers)) {
  await tally.check(`${compiler}: a consumer without Node's types (types: [], skipLibCheck off) compiles`, () => compile(compiler, tdir));
}

tally.end();
