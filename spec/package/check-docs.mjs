// The docs cannot drift from the code:
// - every TypeScript code block of README.md and docs/*.md is type-checked against the local
//   sources (`bandmaster` -> lib/index.ts through the tsconfig paths), in one tsc program;
//   info-string flags: `ts continue` appends the block to the previous one of the same page (a
//   tour built up step by step), `file=<path>` (any language) must equal that file (which CI runs
//   elsewhere), `ts partial` is an intentionally incomplete snippet (not compiled, counted),
//   and `ts run` also executes the block (compiled against the built package), so the behaviour
//   it shows is checked too, not only its types;
// - every ```json block parses;
// - every relative link and #anchor resolves (a provider README not written yet is reported);
// - every concept page exists and is linked from the README;
// - every value export of `bandmaster` and `bandmaster/testing` is mentioned in README or docs;
// - the environment variables named in the README's provider table exist in the providers'
//   config classes (read from the build in dist/).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { root, run, Tally, writtenProviders } from './support.mjs';

const tally = new Tally('docs');
const CONCEPTS = ['lifecycle', 'retries-and-timeouts', 'errors', 'env-config', 'logging-and-events', 'health-and-shutdown', 'testing', 'writing-a-provider'];

function markdownFiles() {
  const out = [join(root, 'README.md')];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'api') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) out.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return out;
}

/** Fenced blocks: { lang, flags, file, code, line } (line: first code line, 1-based). */
function blocks(text) {
  const out = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*([\w-]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const start = i + 1;
    let j = start;
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) j++;
    const code = lines.slice(start, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n');
    const flags = rest.split(/\s+/).filter(Boolean);
    const file = flags.find((f) => f.startsWith('file='))?.slice(5);
    out.push({ lang: lang.toLowerCase(), flags, file, code, line: start + 1 });
    i = j;
  }
  return out;
}

function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(text) {
  const seen = new Map();
  const out = new Set();
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const m = !inFence && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1].replace(/`/g, ''));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const files = markdownFiles();
const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
const rel = (f) => relative(root, f);

// 1. TypeScript blocks, type-checked in one program
// under node_modules/.cache: module resolution finds the project's packages from there, and no
// linter or build of the project picks these files up
const work = join(root, 'node_modules', '.cache', 'bandmaster-docs-check');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const units = []; // { path, segments: [{ md, line, firstLine, lineCount }] }
let partial = 0;
for (const file of files) {
  let previous;
  for (const block of blocks(texts.get(file))) {
    if (block.file) {
      await tally.check(`${rel(file)}:${block.line} block equals ${block.file}`, () => {
        const actual = readFileSync(join(root, block.file), 'utf8');
        if (actual.trimEnd() !== block.code.trimEnd()) throw new Error(`the block differs from ${block.file}: copy the file into the block again`);
      });
      continue;
    }
    if (block.lang === 'json') {
      await tally.check(`${rel(file)}:${block.line} json block parses`, () => JSON.parse(block.code));
      continue;
    }
    if (block.lang !== 'ts' && block.lang !== 'typescript') continue;
    if (block.flags.includes('partial')) {
      partial++;
      continue;
    }
    if (block.flags.includes('continue') && previous) {
      const last = previous.segments.at(-1);
      previous.segments.push({ md: file, line: block.line, firstLine: last.firstLine + last.lineCount, lineCount: block.code.split('\n').length, code: block.code });
      continue;
    }
    previous = { path: join(work, `${rel(file).replace(/[/.]/g, '_')}_${block.line}.mts`), run: block.flags.includes('run'), segments: [{ md: file, line: block.line, firstLine: 1, lineCount: block.code.split('\n').length, code: block.code }] };
    units.push(previous);
  }
}
for (const unit of units) writeFileSync(unit.path, `${unit.segments.map((s) => s.code).join('\n')}\nexport {};\n`);
writeFileSync(
  join(work, 'tsconfig.json'),
  JSON.stringify({
    extends: join(root, 'tsconfig.json'),
    compilerOptions: { noEmit: true, incremental: false, noUnusedLocals: false, noUnusedParameters: false, rootDir: root },
    include: ['*.mts'],
    exclude: [],
  }),
);
const tsc = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(work, 'tsconfig.json')], { check: false, quiet: true });
const diagnostics = new Map(); // unit path -> [messages]
let unmapped = '';
for (const line of (tsc.stdout + tsc.stderr).split('\n')) {
  const m = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
  if (!m) {
    if (line.trim() && !line.startsWith(' ')) unmapped += `${line}\n`;
    else if (line.trim()) for (const list of [...diagnostics.values()].slice(-1)) list.push(line);
    continue;
  }
  const path = resolve(root, m[1]);
  const unit = units.find((u) => u.path === path);
  if (!unit) {
    unmapped += `${line}\n`;
    continue;
  }
  const n = Number(m[2]);
  const seg = unit.segments.find((s) => n >= s.firstLine && n < s.firstLine + s.lineCount) ?? unit.segments.at(-1);
  const list = diagnostics.get(unit.path) ?? [];
  list.push(`${rel(seg.md)}:${seg.line + n - seg.firstLine}: ${m[4]}`);
  diagnostics.set(unit.path, list);
}
for (const unit of units) {
  const first = unit.segments[0];
  const more = unit.segments.length > 1 ? ` (+${unit.segments.length - 1} continued)` : '';
  const errors = diagnostics.get(unit.path);
  if (errors) tally.fail(`${rel(first.md)}:${first.line} TypeScript block type-checks${more}`, errors.join('\n'));
  else tally.ok(`${rel(first.md)}:${first.line} TypeScript block type-checks${more}`);
}
if (tsc.status !== 0 && diagnostics.size === 0) tally.fail('tsc over the docs blocks', unmapped || tsc.stdout + tsc.stderr);
console.log(`  (${units.length} TypeScript blocks compiled, ${partial} marked partial and not compiled)`);

// 1b. blocks flagged `ts run`: compiled with tsc against the built package (dist/, as a user's
// node_modules would have it) and executed; a node:test suite in one fails the run when a test fails
const runnable = units.filter((u) => u.run && !diagnostics.has(u.path));
if (runnable.length > 0 && !existsSync(join(root, 'dist', 'lib', 'index.js'))) {
  for (const u of runnable) tally.skip(`${rel(u.segments[0].md)}:${u.segments[0].line} runs`, 'dist/ is not built');
} else if (runnable.length > 0) {
  const out = join(work, 'out');
  // node_modules/bandmaster -> the work tree: `bandmaster` resolves through package.json "exports"
  // to dist/, as it would when installed
  mkdirSync(join(work, 'node_modules'), { recursive: true });
  symlinkSync(root, join(work, 'node_modules', 'bandmaster'), 'dir');
  writeFileSync(
    join(work, 'tsconfig.run.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { paths: {}, rootDir: work, outDir: out, incremental: false, declaration: false, declarationMap: false, sourceMap: false, noUnusedLocals: false, noUnusedParameters: false },
      files: runnable.map((u) => u.path),
      include: [],
    }),
  );
  const emit = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(work, 'tsconfig.run.json')], { check: false, quiet: true });
  for (const u of runnable) {
    const name = `${rel(u.segments[0].md)}:${u.segments[0].line} runs`;
    if (emit.status !== 0) {
      tally.fail(name, emit.stdout + emit.stderr);
      continue;
    }
    const js = join(out, relative(work, u.path).replace(/\.mts$/, '.mjs'));
    const r = run(process.execPath, [js], { check: false, quiet: true, timeout: 60_000, env: { BANDMASTER_LOG_LEVEL: 'silent', NODE_NO_WARNINGS: '1' } });
    if (r.status === 0) tally.ok(name);
    else tally.fail(name, r.stdout + r.stderr);
  }
}

// 2. links and anchors
const providers = new Set(writtenProviders());
const pendingReadmes = [];
for (const file of files) {
  const text = texts.get(file).replace(/```[\s\S]*?```/g, '');
  const broken = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue;
    const [path, anchor] = target.split('#');
    const dest = path ? resolve(dirname(file), path) : file;
    if (!existsSync(dest)) {
      const provider = /providers\/([\w-]+)\/README\.md$/.exec(dest);
      if (provider) pendingReadmes.push(`${rel(file)} -> ${rel(dest)}${providers.has(provider[1]) ? '' : ' (provider not written yet)'}`);
      else broken.push(`${target} (no such file)`);
      continue;
    }
    if (anchor && dest.endsWith('.md') && !anchors(texts.get(dest) ?? readFileSync(dest, 'utf8')).has(anchor)) broken.push(`${target} (no such heading)`);
  }
  await tally.check(`${rel(file)}: links and anchors resolve`, () => {
    if (broken.length) throw new Error(broken.join('\n'));
  });
}
for (const p of [...new Set(pendingReadmes)]) tally.skip(`link ${p}`, 'the provider README is not written yet');

// 3. concept pages
const readme = texts.get(join(root, 'README.md'));
await tally.check('every concept page exists and is linked from the README', () => {
  const problems = [];
  for (const page of CONCEPTS) {
    if (!existsSync(join(root, 'docs', `${page}.md`))) problems.push(`docs/${page}.md is missing`);
    if (!readme.includes(`(docs/${page}.md`)) problems.push(`README does not link docs/${page}.md`);
  }
  for (const f of files) if (f.startsWith(join(root, 'docs')) && !readme.includes(`(${rel(f)}`)) problems.push(`README does not link ${rel(f)}`);
  if (problems.length) throw new Error(problems.join('\n'));
});

// 4. every value export is documented somewhere a reader looks
const allText = [...texts.values()].join('\n');
for (const entry of ['lib/index.ts', 'lib/testing/index.ts']) {
  const source = readFileSync(join(root, entry), 'utf8');
  const names = [...source.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) => m[1].split(',').map((s) => s.trim().split(/\s+as\s+/).pop()).filter(Boolean));
  await tally.check(`every value export of ${entry} is mentioned in README or docs/`, () => {
    const missing = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(allText));
    if (missing.length) throw new Error(`not mentioned: ${missing.join(', ')}`);
  });
}

// 5. provider table: the variables it names exist
const table = readme.split('\n').filter((l) => /^\|\s*`(redis|memcached|cassandra|nats|kafka|elasticsearch|sql)`/.test(l));
const require = createRequire(import.meta.url);
for (const row of table) {
  const name = /^\|\s*\[?`?(\w+)/.exec(row)[1];
  const built = join(root, 'dist', 'providers', name, 'index.js');
  if (!providers.has(name)) {
    tally.skip(`README provider table: ${name}`, 'provider not written yet');
    continue;
  }
  if (!existsSync(built)) {
    tally.skip(`README provider table: ${name}`, 'not built (run npm run build)');
    continue;
  }
  if (!/`_[A-Z]/.test(row)) {
    tally.skip(`README provider table: ${name}`, 'the row names no variables');
    continue;
  }
  await tally.check(`README provider table: the ${name} variables exist in its config class`, () => {
    require('reflect-metadata');
    const { getMetadataStorage } = require(join(root, 'node_modules', 'class-validator'));
    const { envName } = require(join(root, 'dist', 'lib', 'env.js'));
    const mod = require(built);
    const configClass = Object.values(mod).find((v) => typeof v === 'function' && /Config$/.test(v.name));
    if (!configClass) throw new Error(`providers/${name} exports no *Config class`);
    const fields = new Set([...Object.keys(new configClass()), ...getMetadataStorage().getTargetValidationMetadatas(configClass, '', true, false).map((m) => m.propertyName)]);
    const known = new Set([...fields].map((f) => envName('', f)));
    const listed = [...row.matchAll(/`(_[A-Z0-9_]+)`/g)].map((m) => m[1]);
    const unknown = listed.filter((v) => !known.has(v));
    if (unknown.length) throw new Error(`no such variable: ${unknown.join(', ')} (known: ${[...known].join(' ')})`);
  });
}

tally.end();
