// The peers live in bench/node_modules, installed by `npm run bench` only, so the root build must
// compile without them: they are loaded by a name TypeScript does not resolve, and typed by the
// small surface the adapters use (declared beside each adapter).

/** Imports an ES module peer (its namespace). */
export function importEsm<T>(name: string): Promise<T> {
  return import(name) as Promise<T>;
}

/** Imports a CommonJS peer (its `module.exports`). */
export async function importCjs<T>(name: string): Promise<T> {
  const ns = (await import(name)) as { default: T };
  return ns.default;
}
