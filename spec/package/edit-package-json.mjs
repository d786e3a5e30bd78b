// Surgical edit of package.json: changes only the keys given, keeps the rest (and its order) as is.
// Usage: node spec/package/edit-package-json.mjs '<json patch>'  where the patch maps a dotted
// path to a value (null deletes): {"scripts.docs": "typedoc", "peerDependenciesMeta.pg": {...}}
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(file, 'utf8'));
for (const [path, value] of Object.entries(JSON.parse(process.argv[2] ?? '{}'))) {
  const keys = path.split('.');
  let target = pkg;
  for (const key of keys.slice(0, -1)) target = target[key] ??= {};
  const last = keys.at(-1);
  if (value === null) delete target[last];
  else target[last] = value;
}
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
