/**
 * Interprets the small subset of CQL that drivers and health checks send to a fresh node.
 */
import { cql, timeUuid, type CqlValue } from './cql-values';
import { ErrorCode } from './frame-codec';
import { splitTopLevel, type ColumnSpec, type Row, type Table } from './system-tables';

/** Rows produced by a SELECT, in the column order of the selection. */
export interface RowsResult {
  readonly keyspace: string;
  readonly table: string;
  readonly columns: readonly ColumnSpec[];
  readonly rows: readonly (readonly CqlValue[])[];
}

/** What executing one statement yields; maps one-to-one onto RESULT kinds or an ERROR. */
export type Outcome =
  | { readonly kind: 'rows'; readonly result: RowsResult }
  | { readonly kind: 'void' }
  | { readonly kind: 'set-keyspace'; readonly keyspace: string }
  | { readonly kind: 'error'; readonly code: number; readonly message: string };

interface Selector {
  readonly column: ColumnSpec;
  readonly read: (row: Row) => CqlValue;
}

const SELECT = /^select\s+(.+?)\s+from\s+("[^"]+"|\w+)(?:\s*\.\s*("[^"]+"|\w+))?(?:\s+(?:where|limit|allow|order|group|per)\b.*)?$/is;
const USE = /^use\s+("[^"]+"|\w+)$/i;
const SELECTOR = /^(.+?)(?:\s+as\s+("[^"]+"|\w+))?$/is;
/** Writes and DDL are acknowledged but have no effect: the server keeps no user data. */
const NO_EFFECT = /^(insert|update|delete|begin|apply|truncate|create|alter|drop|grant|revoke)\b/i;

/** CQL folds unquoted identifiers to lower case and keeps quoted ones verbatim. */
function identifier(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/""/g, '"') : token.toLowerCase();
}

function invalid(message: string): Outcome {
  return { kind: 'error', code: ErrorCode.invalid, message };
}

/**
 * Executes statements against the read-only system tables.
 */
export class QueryEngine {
  readonly #tables: ReadonlyMap<string, Table>;

  constructor(tables: ReadonlyMap<string, Table>) {
    this.#tables = tables;
  }

  /** Runs one statement; `keyspace` is the session keyspace set by USE, used for unqualified tables. */
  run(query: string, keyspace: string | null): Outcome {
    const statement = query.trim().replace(/;\s*$/, '');
    const use = USE.exec(statement);
    if (use !== null) {
      return { kind: 'set-keyspace', keyspace: identifier(use[1] ?? '') };
    }
    const select = SELECT.exec(statement);
    if (select !== null) {
      const [, selection = '', first = ''] = select;
      // An optional group that did not match is undefined at runtime, whatever the typings say.
      const second = select[3] as string | undefined;
      const qualified = second === undefined ? null : identifier(first);
      return this.#select(selection, qualified ?? keyspace, identifier(second ?? first));
    }
    if (NO_EFFECT.test(statement)) {
      return { kind: 'void' };
    }
    const input = statement.split(/\s+/)[0] ?? '';
    return { kind: 'error', code: ErrorCode.syntax, message: `line 1:0 no viable alternative at input '${input}'` };
  }

  #select(selection: string, keyspace: string | null, tableName: string): Outcome {
    if (keyspace === null) {
      return invalid('No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename');
    }
    const table = this.#tables.get(`${keyspace}.${tableName}`);
    if (table === undefined) {
      return invalid(`unconfigured table ${tableName}`);
    }
    const selectors = this.#selectors(selection, table);
    if (!Array.isArray(selectors)) {
      return selectors;
    }
    const rows = table.rows.map((row) => selectors.map((s) => s.read(row)));
    const columns = selectors.map((s) => s.column);
    return { kind: 'rows', result: { keyspace: table.keyspace, table: table.name, columns, rows } };
  }

  #selectors(selection: string, table: Table): Selector[] | Outcome {
    if (selection.trim() === '*') {
      return table.columns.map((column) => ({ column, read: (row) => row[column.name] ?? null }));
    }
    const selectors: Selector[] = [];
    for (const item of splitTopLevel(selection, '()')) {
      const [, expression, alias] = SELECTOR.exec(item) ?? [item, item, undefined];
      const selector = this.#selector(expression.trim(), table);
      if (selector === undefined) {
        return invalid(`Undefined column name ${expression.trim()} in table ${table.keyspace}.${table.name}`);
      }
      const name = alias === undefined ? selector.column.name : identifier(alias);
      selectors.push({ column: { name, type: selector.column.type }, read: selector.read });
    }
    return selectors;
  }

  #selector(expression: string, table: Table): Selector | undefined {
    if (/^now\s*\(\s*\)$/i.test(expression)) {
      // Cassandra 4 names native function columns after their keyspace-qualified function.
      return { column: { name: 'system.now()', type: cql.timeuuid }, read: () => timeUuid() };
    }
    if (!/^("[^"]+"|\w+)$/.test(expression)) {
      return undefined;
    }
    const name = identifier(expression);
    const column = table.columns.find((c) => c.name === name);
    return column === undefined ? undefined : { column, read: (row) => row[name] ?? null };
  }
}
