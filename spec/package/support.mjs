// Helpers shared by the package checks: paths, running commands, packing the library once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every provider the exports map promises: `./providers/<name>` -> `<name>`. */
export const promisedProviders = Object.keys(pkg.exports)
  .filter((k) => k.startsWith('./providers/'))
  .map((k) => k.slice('./providers/'.length));

/** Providers whose source exists (`providers/<name>/index.ts`): the others are not written yet. */
export function writtenProviders() {
  const dir = join(root, 'providers');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'index.ts'))).sort();
}

/** Runs a command; returns { status, stdout, stderr }. Throws with the output when `check` and it fails. */
export function run(cmd, args, { cwd = root, env = {}, check = true, quiet = false, timeout = 300_000 } = {}) {
  const result = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env },
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  if (!quiet && (out.status !== 0 || process.env.VERBOSE)) process.stdout.write(clean(out.stdout) + clean(out.stderr));
  if (check && out.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` failed with status ${out.status}${result.error ? `: ${result.error.message}` : ''}`);
  return out;
}

/** Drops npm's warning about this machine's user config, which is noise here. */
function clean(text) {
  return text
    .split('\n')
    .filter((l) => !l.includes('Unknown user config "nodedir"'))
    .join('\n');
}

/** A fresh temporary directory. */
export function scratch(prefix) {
  return mkdtempSync(join(tmpdir(), `bandmaster-${prefix}-`));
}

/**
 * The packed library: `BANDMASTER_TARBALL` when set (CI packs once), else `npm pack` now (which
 * runs the `prepack` publish build).
 */
export function tarball() {
  const given = process.env.BANDMASTER_TARBALL;
  if (given) {
    if (!existsSync(given)) throw new Error(`BANDMASTER_TARBALL=${given} does not exist`);
    return given;
  }
  const dest = scratch('pack');
  const { stdout } = run('npm', ['pack', '--json', '--pack-destination', dest], { quiet: true });
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  process.env.BANDMASTER_TARBALL = join(dest, info.filename);
  return process.env.BANDMASTER_TARBALL;
}

/** Counts results and prints the closing line every CI reader understands. */
export class Tally {
  passed = 0;
  failed = 0;
  skipped = 0;
  #name;

  constructor(name) {
    this.#name = name;
  }

  ok(what) {
    this.passed++;
    console.log(`  ok      ${what}`);
  }

  fail(what, detail = '') {
    this.failed++;
    console.log(`  FAILED  ${what}${detail ? `\n${indent(detail)}` : ''}`);
  }

  skip(what, why) {
    this.skipped++;
    console.log(`  skipped ${what}: ${why}`);
  }

  /** Runs `fn`; a throw is a failure. */
  async check(what, fn) {
    try {
      await fn();
      this.ok(what);
    } catch (err) {
      this.fail(what, err instanceof Error ? err.message : String(err));
    }
  }

  /** Prints the summary and sets the exit code. */
  end() {
    console.log(`${this.#name}: ${this.passed} passed, ${this.failed} failed${this.skipped ? `, ${this.skipped} skipped` : ''}`);
    if (this.failed > 0) process.exitCode = 1;
  }
}

function indent(text) {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n');
}
