// Runs a provider on another major of its client library, installed under an npm alias
// (`"ioredis5": "npm:ioredis@5"` in devDependencies): from the call on, `require('ioredis')` in
// this process loads `ioredis5`. node --test runs each spec file in its own process, so a spec
// that aliases a peer at its top affects only itself.
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';

interface ResolvingModule {
  _resolveFilename(request: string, ...rest: unknown[]): string;
}

const aliases = new Map<string, string>();
let installed = false;

/**
 * Makes `require(peer)` (and `require('peer/sub/path')`) load the package installed as `alias`,
 * and returns the version that now loads.
 *
 * @throws Error naming the alias to install when it is not in node_modules.
 * @example
 * aliasPeer('ioredis', 'ioredis5'); // before the spec registers a provider
 */
export function aliasPeer(peer: string, alias: string): string {
  let version: string;
  try {
    version = installedVersion(alias);
  } catch (err) {
    throw new Error(`the npm alias ${alias} is not installed: npm install -D ${alias}@npm:${peer}@<major>`, { cause: err });
  }
  aliases.set(peer, alias);
  if (!installed) {
    installed = true;
    const resolver = Module as unknown as ResolvingModule;
    const original = resolver._resolveFilename.bind(Module);
    resolver._resolveFilename = (request: string, ...rest: unknown[]) => original(rewrite(request), ...rest);
  }
  return version;
}

function rewrite(request: string): string {
  for (const [peer, alias] of aliases) {
    if (request === peer) return alias;
    if (request.startsWith(`${peer}/`)) return alias + request.slice(peer.length);
  }
  return request;
}

/** Whether this Node runs at least `major.minor`: for client majors that need a newer Node. */
export function nodeAtLeast(major: number, minor: number): boolean {
  const [m = 0, n = 0] = process.versions.node.split('.').map(Number);
  return m > major || (m === major && n >= minor);
}

/**
 * The version of the package `require(pkg)` loads, read from its package.json (which packages with
 * an `exports` map may not export).
 *
 * @throws Error when the package is not installed.
 */
export function installedVersion(pkg: string): string {
  for (let dir = dirname(require.resolve(pkg)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.version !== undefined && manifest.name !== undefined) return manifest.version;
  }
  throw new Error(`no package.json found for ${pkg}`);
}
