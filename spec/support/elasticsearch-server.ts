import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Options for {@link startElasticsearchTestServer}. */
export interface ElasticsearchTestServerOptions {
  /** Port to listen on; defaults to an ephemeral port. */
  port?: number;
  /** Interface to bind; defaults to `127.0.0.1`. */
  host?: string;
  /** When set together with `password`, every request needs matching HTTP basic auth (401 otherwise). */
  username?: string;
  /** See `username`. */
  password?: string;
  /** Faults applied to every request; change them later with {@link ElasticsearchTestServer.setFaults}. */
  faults?: {
    /** Wait this many milliseconds before answering (or dropping). */
    delayMs?: number;
    /** Answer every request with this status and an ES-style error body. */
    status?: number;
    /** Leave out `x-elastic-product`, which the official client rejects on 2xx responses. */
    omitProductHeader?: boolean;
    /** Destroy the socket without answering. */
    dropConnections?: boolean;
  };
}

/** A running in-memory Elasticsearch REST test server. */
export interface ElasticsearchTestServer {
  /** Bound host. */
  readonly host: string;
  /** Bound port. */
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:9200`. */
  readonly url: string;
  /** Currently open TCP connections. */
  readonly connections: number;
  /** Every request received, in arrival order (path without query string). */
  readonly requests: readonly { method: string; path: string }[];
  /** Replaces the active faults; `undefined` clears them. */
  setFaults(faults: ElasticsearchTestServerOptions['faults']): void;
  /** Destroys all open connections, cancels pending delays and stops listening. */
  close(): Promise<void>;
}

type Faults = NonNullable<ElasticsearchTestServerOptions['faults']>;
type Document = { source: Record<string, unknown>; version: number; seqNo: number };
interface Reply { status: number; body: unknown; headers?: Record<string, string> }

const VERSION = {
  number: '9.0.0',
  build_flavor: 'default',
  build_type: 'tar',
  build_hash: '0000000000000000000000000000000000000000',
  build_date: '2025-04-08T00:00:00.000Z',
  build_snapshot: false,
  lucene_version: '10.1.0',
  minimum_wire_compatibility_version: '8.18.0',
  minimum_index_compatibility_version: '8.0.0',
};
const CLUSTER_NAME = 'bandmaster-test';
// The real server accepts the current and the previous major through REST compatibility.
const COMPATIBLE_MAJORS = new Set(['8', '9']);
const SHARDS = { total: 2, successful: 1, failed: 0 };
const AUTH_CHALLENGE = 'Basic realm="security", charset="UTF-8"';

/** Builds the error envelope Elasticsearch uses for most failures. */
function esError(status: number, type: string, reason: string, extra: Record<string, unknown> = {}): Reply {
  const cause = { type, reason, ...extra };
  return { status, body: { error: { root_cause: [cause], ...cause }, status } };
}

function indexNotFound(index: string): Reply {
  return esError(404, 'index_not_found_exception', `no such index [${index}]`, {
    'resource.type': 'index_or_alias', 'resource.id': index, index_uuid: '_na_', index,
  });
}

class DocumentStore {
  readonly #indices = new Map<string, Map<string, Document>>();
  #seqNo = 0;

  put(index: string, id: string | undefined, source: Record<string, unknown>): Reply {
    const docs = this.#indices.get(index) ?? new Map<string, Document>();
    this.#indices.set(index, docs);
    // Same shape and length as Elasticsearch's auto-generated ids.
    const docId = id ?? randomBytes(15).toString('base64url');
    const previous = docs.get(docId);
    const doc = { source, version: (previous?.version ?? 0) + 1, seqNo: this.#seqNo++ };
    docs.set(docId, doc);
    return {
      status: previous ? 200 : 201,
      body: {
        _index: index, _id: docId, _version: doc.version, result: previous ? 'updated' : 'created',
        _shards: SHARDS, _seq_no: doc.seqNo, _primary_term: 1,
      },
    };
  }

  get(index: string, id: string): Reply {
    const doc = this.#indices.get(index)?.get(id);
    if (!doc) return { status: 404, body: { _index: index, _id: id, found: false } };
    return {
      status: 200,
      body: {
        _index: index, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: 1,
        found: true, _source: doc.source,
      },
    };
  }

  search(index: string): Reply {
    const docs = this.#indices.get(index);
    if (!docs) return indexNotFound(index);
    const hits = [...docs].map(([id, doc]) => ({ _index: index, _id: id, _score: 1, _source: doc.source }));
    return {
      status: 200,
      body: {
        took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: { total: { value: hits.length, relation: 'eq' }, max_score: hits.length ? 1 : null, hits },
      },
    };
  }

  refresh(index: string): Reply {
    return this.#indices.has(index) ? { status: 200, body: { _shards: SHARDS } } : indexNotFound(index);
  }

  get indexCount(): number {
    return this.#indices.size;
  }
}

function clusterHealth(store: DocumentStore): Reply {
  const shards = store.indexCount;
  return {
    status: 200,
    body: {
      cluster_name: CLUSTER_NAME, status: 'green', timed_out: false, number_of_nodes: 1,
      number_of_data_nodes: 1, active_primary_shards: shards, active_shards: shards, relocating_shards: 0,
      initializing_shards: 0, unassigned_shards: 0, delayed_unassigned_shards: 0, number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0, task_max_waiting_in_queue_millis: 0, active_shards_percent_as_number: 100,
    },
  };
}

/** Dispatches one request; HEAD is routed like GET because the server strips the body anyway. */
function route(store: DocumentStore, info: object, method: string, segments: string[], body: unknown): Reply {
  const verb = method === 'HEAD' ? 'GET' : method;
  const [index, action, id, ...rest] = segments;
  if (index === undefined) {
    if (verb === 'GET') return { status: 200, body: info };
  } else if (index === '_cluster' && action === 'health' && id === undefined) {
    if (verb === 'GET') return clusterHealth(store);
  } else if (!index.startsWith('_') && rest.length === 0) {
    if (action === '_doc' && (verb === 'PUT' || verb === 'POST') && (id !== undefined || verb === 'POST')) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return esError(400, 'parse_exception', 'request body is required and must be a JSON object');
      }
      return store.put(index, id, body as Record<string, unknown>);
    }
    if (action === '_doc' && id !== undefined && verb === 'GET') return store.get(index, id);
    if (action === '_search' && id === undefined && (verb === 'GET' || verb === 'POST')) return store.search(index);
    if (action === '_refresh' && id === undefined && (verb === 'GET' || verb === 'POST')) return store.refresh(index);
  }
  const uri = `/${segments.map(encodeURIComponent).join('/')}`;
  return esError(404, 'resource_not_found_exception', `no handler found for uri [${uri}] and method [${method}]`);
}

/** Rejects what a real node rejects before routing: bad compatibility versions, non-JSON bodies, bad JSON. */
function parseRequest(req: IncomingMessage, raw: Buffer): { body: unknown } | Reply {
  const accept = req.headers.accept ?? '';
  const contentType = req.headers['content-type'] ?? '';
  for (const header of [accept, contentType]) {
    const major = /compatible-with=(\d+)/.exec(header)?.[1];
    if (major !== undefined && !COMPATIBLE_MAJORS.has(major)) {
      const reason = `Accept version must be either version 9 or 8, but found ${major}. Accept=${accept}`;
      return esError(400, 'media_type_header_exception', 'Invalid media-type value on headers [Accept, Content-Type]', {
        caused_by: { type: 'status_exception', reason },
      });
    }
  }
  if (raw.length === 0) return { body: undefined };
  if (!/application\/(vnd\.elasticsearch\+)?json/.test(contentType)) {
    return { status: 406, body: { error: `Content-Type header [${contentType}] is not supported`, status: 406 } };
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown };
  } catch (error) {
    return esError(400, 'x_content_parse_exception', `Failed to parse request body: ${(error as Error).message}`);
  }
}

class ElasticsearchTestServerImpl implements ElasticsearchTestServer {
  readonly #server: Server = createServer((req, res) => void this.#handle(req, res));
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #requests: { method: string; path: string }[] = [];
  readonly #store = new DocumentStore();
  readonly #options: ElasticsearchTestServerOptions;
  readonly #info: object;
  #faults: Faults;
  #address: AddressInfo | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ElasticsearchTestServerOptions) {
    this.#options = options;
    this.#faults = { ...options.faults };
    this.#info = {
      name: 'bandmaster-test-node', cluster_name: CLUSTER_NAME,
      cluster_uuid: randomBytes(16).toString('base64url'), version: VERSION, tagline: 'You Know, for Search',
    };
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  // Cached at listen time because server.address() is null once closed.
  get host(): string { return this.#address?.address ?? ''; }
  get port(): number { return this.#address?.port ?? 0; }
  get url(): string { return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`; }
  get connections(): number { return this.#sockets.size; }
  get requests(): readonly { method: string; path: string }[] { return this.#requests; }

  setFaults(faults: ElasticsearchTestServerOptions['faults']): void {
    this.#faults = { ...faults };
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port ?? 0, this.#options.host ?? '127.0.0.1', () => {
        this.#server.off('error', reject);
        this.#address = this.#server.address() as AddressInfo;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      // The listener can report closed before sockets emit 'close', so `connections` would still count them.
      const closed = [...this.#sockets].map((socket) => once(socket, 'close'));
      this.#server.close(() => void Promise.all(closed).then(() => resolve()));
      this.#server.closeAllConnections();
      // closeAllConnections only knows sockets the HTTP parser still owns.
      for (const socket of this.#sockets) socket.destroy();
    });
    return this.#closing;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    this.#requests.push({ method: req.method ?? 'GET', path: pathname });
    // Snapshot so a setFaults() mid-request cannot mix two fault sets in one answer.
    const faults = this.#faults;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (faults.delayMs && !(await this.#delay(faults.delayMs, res))) return;
      if (faults.dropConnections) {
        req.socket.destroy();
        return;
      }
      this.#send(req, res, faults, this.#answer(req, pathname, Buffer.concat(chunks), faults));
    } catch (error) {
      if (!res.headersSent && !res.destroyed) {
        this.#send(req, res, faults, esError(500, 'exception', (error as Error).message));
      }
    }
  }

  #answer(req: IncomingMessage, pathname: string, raw: Buffer, faults: Faults): Reply {
    if (faults.status !== undefined) {
      return esError(faults.status, 'test_fault_exception', `fault injected by test server (status ${faults.status})`);
    }
    const { username, password } = this.#options;
    if (username !== undefined || password !== undefined) {
      const expected = `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        const reason = 'missing authentication credentials for REST request';
        const reply = esError(401, 'security_exception', reason, { header: { 'WWW-Authenticate': AUTH_CHALLENGE } });
        return { ...reply, headers: { 'www-authenticate': AUTH_CHALLENGE } };
      }
    }
    const parsed = parseRequest(req, raw);
    if ('status' in parsed) return parsed;
    const segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    return route(this.#store, this.#info, req.method ?? 'GET', segments, parsed.body);
  }

  #send(req: IncomingMessage, res: ServerResponse, faults: Faults, reply: Reply): void {
    const payload = JSON.stringify(reply.body);
    // Mirror the negotiated media type, as a real node does for compatibility-mode clients.
    const compat = /compatible-with=(\d+)/.exec(req.headers.accept ?? '')?.[1];
    const headers: Record<string, string | number> = {
      'content-type': compat ? `application/vnd.elasticsearch+json;compatible-with=${compat}` : 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...reply.headers,
    };
    // Real nodes send no product header before authentication succeeds.
    if (!faults.omitProductHeader && reply.status !== 401) headers['x-elastic-product'] = 'Elasticsearch';
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  }

  /** Resolves true after `ms`, or false as soon as the client gives up on the response. */
  #delay(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const onClose = (): void => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        res.off('close', onClose);
        resolve(true);
      }, ms);
      this.#timers.add(timer);
      res.once('close', onClose);
    });
  }
}

/**
 * Starts an in-memory server speaking enough of the Elasticsearch 9 REST API for the official client:
 * `HEAD|GET /`, `GET /_cluster/health`, `PUT|POST /{index}/_doc/{id}`, `POST /{index}/_doc`,
 * `GET /{index}/_doc/{id}`, `GET|POST /{index}/_search` (every document, query ignored) and
 * `POST /{index}/_refresh`. Unknown routes get a 404 ES-style error; search and refresh on a
 * missing index get `index_not_found_exception`.
 */
export async function startElasticsearchTestServer(
  options: ElasticsearchTestServerOptions = {},
): Promise<ElasticsearchTestServer> {
  const server = new ElasticsearchTestServerImpl(options);
  await server.listen();
  return server;
}
