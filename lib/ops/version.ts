import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let version: string | undefined;

/**
 * The package's version, for tracer and meter names; `0.0.0` if package.json cannot be read.
 * Read on first use, so importing bandmaster reads no file.
 */
export function packageVersion(): string {
  version ??= readVersion();
  return version;
}

function readVersion(): string {
  // up the tree from dist/lib/ops (lib/ops under tsx, or a build in another folder of the checkout)
  // to the first package.json that is bandmaster's
  let dir = __dirname;
  for (let depth = 0; depth < 8; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'bandmaster' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: one folder up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return '0.0.0';
}
