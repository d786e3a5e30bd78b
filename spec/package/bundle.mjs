// The package's bundles: after tsc has emitted dist/, writes one CommonJS file per public entry of
// package.json "exports" (its "default"), so that `require('bandmaster')` reads and compiles one
// file instead of resolving ~75 modules. The entry is read from the tsc output beside its declared
// "types" (./dist/lib/index.d.ts -> dist/lib/index.js). Run by `npm run build` and `prepack`.
//
// One copy of lib at run time: in every bundle but the main one, an import that resolves to
// another entry's file (the main entry above all: `../../lib`, `../index`) becomes a `require` of
// that entry's bundle, by relative path, and never a copy. The build fails when a non-main bundle
// still holds a module of the main bundle, or a module of dist/lib or dist/decorators outside its
// own folder (a deep import the lint rule missed), or a file of another entry's folder; that is
// read from esbuild's metafile, written to dist/bundle/metafile.json for the specs.
//
// Why esbuild and not a hand-written concatenation: it already resolves like Node, wraps each
// CommonJS module so that it still runs on first `require` (the lazily loaded parts of lib stay
// lazy), keeps packages external, and reports what went into each bundle. Not minified: a frame
// of a user's stack trace points at a readable line, under the name of the module it came from
// (`"dist/lib/container.js"(exports)`); whitespace and syntax minification saved ~1 ms of a
// ~12 ms `require('bandmaster')` here, and no identifier is ever renamed. No source maps, as the
// package ships none.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const OUT = join(root, 'dist', 'bundle');
/** Where the metafile of every bundle is written, with the entries: read by spec/package/bundles.spec.ts. */
const METAFILE = join(OUT, 'metafile.json');

const posix = (path) => path.split(sep).join('/');
const rel = (path) => posix(relative(root, path));

/** The entries: { key ('.', './testing'...), input (tsc output), output (the bundle), home (its folder) }. */
function entries() {
  return Object.entries(pkg.exports)
    .filter(([key]) => key !== './package.json')
    .map(([key, target]) => {
      if (!target.types?.endsWith('.d.ts') || !target.default?.startsWith('./dist/bundle/')) {
        throw new Error(`package.json exports["${key}"]: expected "types" (a tsc .d.ts) and "default" (a bundle under ./dist/bundle/)`);
      }
      const input = join(root, target.types.replace(/\.d\.ts$/, '.js'));
      return { key, input, output: join(root, target.default), home: dirname(input) };
    });
}

/**
 * The names the tsc output of an entry exports (`exports.x = ...`, `Object.defineProperty(exports,
 * "x", ...)`), written after the bundle as `0 && (module.exports = { x, ... })`, the annotation
 * esbuild writes for ES module entries: Node's CommonJS export scan reads names from it, so
 * `import { Container } from 'bandmaster'` works in an ES module. The scan finds tsc's own forms in
 * the unminified bundle too; the annotation keeps that true under syntax minification
 * (`enumerable: !0`), which the scan does not read.
 */
function exportedNames(input) {
  const code = readFileSync(input, 'utf8');
  const names = new Set();
  for (const m of code.matchAll(/\bexports\.([A-Za-z_$][\w$]*)\s*=/g)) names.add(m[1]);
  for (const m of code.matchAll(/Object\.defineProperty\(exports,\s*"([A-Za-z_$][\w$]*)"/g)) names.add(m[1]);
  names.delete('__esModule');
  return [...names];
}

/** Resolves a relative import as Node does, from the importing file's folder. */
function resolveFrom(dir, path) {
  try {
    return createRequire(join(dir, 'noop.js')).resolve(path);
  } catch {
    return undefined;
  }
}

/** Imports of another entry's file become a require of that entry's bundle. */
function entriesExternal(self, all) {
  const byInput = new Map(all.map((e) => [e.input, e]));
  return {
    name: 'bandmaster-entries',
    setup(b) {
      b.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = byInput.get(resolveFrom(args.resolveDir, args.path));
        if (!target || target === self) return undefined;
        let path = posix(relative(dirname(self.output), target.output));
        if (!path.startsWith('.')) path = `./${path}`;
        return { path, external: true };
      });
    },
  };
}

async function bundle(entry, all) {
  const names = exportedNames(entry.input);
  const result = await build({
    entryPoints: [entry.input],
    outfile: entry.output,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22.12',
    packages: 'external',
    absWorkingDir: root,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    footer: { js: `0 && (module.exports = { ${names.join(', ')} });` },
    plugins: [entriesExternal(entry, all)],
    write: false,
  });
  const [output] = result.outputFiles;
  mkdirSync(dirname(entry.output), { recursive: true });
  writeFileSync(entry.output, restoreClassNames(output.text, Object.keys(result.metafile.inputs)));
  return result.metafile;
}

/**
 * esbuild turns a class declaration whose body names the class (`if (this !== ShutdownError)`)
 * into `var ShutdownError = class _ShutdownError`, and the class's `name` becomes
 * `_ShutdownError`: what `err.constructor.name`, pino's error serializer and `util.inspect` show.
 * `keepNames` would fix it with a `__name()` call per function (592 of them, +2.6 ms of load
 * here); renaming the inner binding back does it for these classes alone and means what the
 * source means (inside its body, the class's own name is the class). Only done when no input
 * uses the generated name itself.
 */
function restoreClassNames(code, inputs) {
  let out = code;
  let sources;
  for (const [, name] of code.matchAll(/\bvar ([A-Za-z][\w$]*) = class _\1\b/g)) {
    const inner = `(?<![\\w$.])_${name}(?![\\w$])`;
    // the inputs are read once, and only when a class needs its name back
    sources ??= inputs.map((file) => [file, readFileSync(join(root, file), 'utf8')]);
    const used = sources.find(([, text]) => new RegExp(inner).test(text))?.[0];
    if (used) throw new Error(`cannot restore the name of class ${name}: ${used} uses _${name} itself`);
    out = out.replace(new RegExp(inner, 'g'), name);
  }
  return out;
}

/** What is wrong with a non-main bundle's inputs (paths relative to the root). */
function problems(entry, inputs, mainInputs, all) {
  const out = [];
  const lib = ['dist/lib/', 'dist/decorators/'];
  const home = `${rel(entry.home)}/`;
  const otherHomes = all.filter((e) => e.key !== '.' && e.home !== entry.home).map((e) => `${rel(e.home)}/`);
  for (const input of inputs) {
    if (mainInputs.has(input)) out.push(`${input} is the main entry's: a copy of it would be a second module state (import it through the index)`);
    else if (lib.some((d) => input.startsWith(d)) && !input.startsWith(home)) out.push(`${input} is a lib module outside ${home}: import it through lib's index`);
    else if (otherHomes.some((h) => input.startsWith(h) && !home.startsWith(h))) out.push(`${input} belongs to another entry: import that entry through its index`);
  }
  return out;
}

async function main() {
  const all = entries();
  const main = all.find((e) => e.key === '.');
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const metafiles = {};
  for (const entry of all) metafiles[entry.key] = await bundle(entry, all);
  const mainInputs = new Set(Object.keys(metafiles['.'].inputs));
  const failures = [];
  for (const entry of all) {
    if (entry === main) continue;
    for (const p of problems(entry, Object.keys(metafiles[entry.key].inputs), mainInputs, all)) failures.push(`${rel(entry.output)}: ${p}`);
  }
  writeFileSync(METAFILE, JSON.stringify({ entries: all.map((e) => ({ key: e.key, input: rel(e.input), output: rel(e.output), home: rel(e.home) })), metafiles }, null, 1));
  if (failures.length) {
    console.error(`bundle: ${failures.length} problem${failures.length === 1 ? '' : 's'}:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  const size = (e) => `${(metafiles[e.key].outputs[rel(e.output)].bytes / 1024).toFixed(0)} kB`;
  if (process.env.VERBOSE) for (const e of all) console.log(`bundle: ${rel(e.output)} (${Object.keys(metafiles[e.key].inputs).length} modules, ${size(e)})`);
}

await main();
