/**
 * The system tables a single-node Cassandra 4.0 cluster exposes to drivers.
 */
import { cql, type CqlType, type CqlValue } from './cql-values';

/** A result column: its name and CQL type. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: CqlType;
}

/** A row keyed by column name; missing columns read as null. */
export type Row = Readonly<Record<string, CqlValue>>;

/** A table's schema and contents. */
export interface Table {
  readonly keyspace: string;
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly rows: readonly Row[];
}

/** What the single node reports about itself in system.local. */
export interface NodeIdentity {
  readonly address: string;
  readonly port: number;
  readonly dataCenter: string;
  readonly hostId: string;
  readonly schemaVersion: string;
}

/** Reported as 4.0 so drivers settle on protocol v4 and use the system_schema tables. */
export const RELEASE_VERSION = '4.0.11';
/** The CQL dialect version Cassandra 4.0 reports. */
export const CQL_VERSION = '3.4.5';

/** One token keeps the driver's token ring trivial: the whole ring belongs to this node. */
const TOKENS = ['-9223372036854775808'];

/** Splits on commas outside the given brackets, so `map<text, text>` or `f(a, b)` stays whole. */
export function splitTopLevel(text: string, brackets = '<>'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    depth += char === brackets[0] ? 1 : char === brackets[1] ? -1 : 0;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

function parseType(text: string): CqlType {
  const generic = /^(set|list|map)<(.+)>$/.exec(text.replace(/\s+/g, ''));
  if (generic === null) {
    const scalar = (cql as Record<string, unknown>)[text];
    if (typeof scalar !== 'object' || scalar === null) {
      throw new TypeError(`Unknown CQL type ${text}`);
    }
    return scalar as CqlType;
  }
  const [first, second] = splitTopLevel(generic[2] ?? '').map(parseType);
  if (first === undefined) throw new TypeError(`CQL type ${text} has no element type`);
  if (generic[1] === 'map') {
    if (second === undefined) throw new TypeError(`CQL type ${text} has no value type`);
    return cql.mapOf(first, second);
  }
  return generic[1] === 'set' ? cql.setOf(first) : cql.listOf(first);
}

/** Parses a schema written the way `DESCRIBE TABLE` prints columns: `name type, name type`. */
function table(keyspace: string, name: string, schema: string, rows: readonly Row[] = []): Table {
  const columns = splitTopLevel(schema).map((column) => {
    const [columnName = '', ...type] = column.split(/\s+/);
    return { name: columnName, type: parseType(type.join(' ')) };
  });
  return { keyspace, name, columns, rows };
}

function localTable(node: NodeIdentity): Table {
  const row: Row = {
    key: 'local',
    bootstrapped: 'COMPLETED',
    broadcast_address: node.address,
    broadcast_port: 7000,
    cluster_name: 'Test Cluster',
    cql_version: CQL_VERSION,
    data_center: node.dataCenter,
    gossip_generation: Math.floor(Date.now() / 1000),
    host_id: node.hostId,
    listen_address: node.address,
    listen_port: 7000,
    native_protocol_version: '4',
    partitioner: 'org.apache.cassandra.dht.Murmur3Partitioner',
    rack: 'rack1',
    release_version: RELEASE_VERSION,
    rpc_address: node.address,
    rpc_port: node.port,
    schema_version: node.schemaVersion,
    tokens: TOKENS,
  };
  return table('system', 'local', `key text, bootstrapped text, broadcast_address inet, broadcast_port int,
    cluster_name text, cql_version text, data_center text, gossip_generation int, host_id uuid,
    listen_address inet, listen_port int, native_protocol_version text, partitioner text, rack text,
    release_version text, rpc_address inet, rpc_port int, schema_version uuid, tokens set<text>,
    truncated_at map<uuid, blob>`, [row]);
}

/** Every other table is empty: no peers, and no user or system schema worth describing. */
const EMPTY_TABLES: readonly Table[] = [
  table('system', 'peers', `peer inet, data_center text, host_id uuid, preferred_ip inet, rack text,
    release_version text, rpc_address inet, schema_version uuid, tokens set<text>`),
  table('system', 'peers_v2', `peer inet, peer_port int, data_center text, host_id uuid, native_address inet,
    native_port int, preferred_ip inet, preferred_port int, rack text, release_version text,
    schema_version uuid, tokens set<text>`),
  table('system_schema', 'keyspaces', 'keyspace_name text, durable_writes boolean, replication map<text, text>'),
  table('system_schema', 'tables', 'keyspace_name text, table_name text, comment text, flags set<text>, id uuid'),
  table('system_schema', 'columns', `keyspace_name text, table_name text, column_name text, clustering_order text,
    column_name_bytes blob, kind text, position int, type text`),
  table('system_schema', 'types', 'keyspace_name text, type_name text, field_names list<text>, field_types list<text>'),
  table('system_schema', 'functions', `keyspace_name text, function_name text, argument_types list<text>,
    argument_names list<text>, body text, called_on_null_input boolean, language text, return_type text`),
  table('system_schema', 'aggregates', `keyspace_name text, aggregate_name text, argument_types list<text>,
    final_func text, initcond text, return_type text, state_func text, state_type text`),
  table('system_schema', 'views', `keyspace_name text, view_name text, base_table_id uuid, base_table_name text,
    include_all_columns boolean, where_clause text`),
  table('system_schema', 'indexes', 'keyspace_name text, table_name text, index_name text, kind text, options map<text, text>'),
  table('system_schema', 'triggers', 'keyspace_name text, table_name text, trigger_name text, options map<text, text>'),
  table('system_virtual_schema', 'keyspaces', 'keyspace_name text'),
  table('system_virtual_schema', 'tables', 'keyspace_name text, table_name text, comment text'),
  table('system_virtual_schema', 'columns', `keyspace_name text, table_name text, column_name text,
    clustering_order text, column_name_bytes blob, kind text, position int, type text`),
];

/** Builds the tables keyed by `keyspace.table`. */
export function buildSystemTables(node: NodeIdentity): ReadonlyMap<string, Table> {
  const tables = [localTable(node), ...EMPTY_TABLES];
  return new Map(tables.map((t) => [`${t.keyspace}.${t.name}`, t]));
}
