import type { Client, ClientOptions } from '@elastic/elasticsearch';
import { describeCause, abortable, defineProvider, loadPeer, maskValue } from '../../lib';
import { ElasticsearchConfig, nodeAddresses } from './elasticsearch.config';
import { reportClosedByCode } from '../closed-by-code';

type ElasticModule = typeof import('@elastic/elasticsearch');

/** Errors of the client that mean no node could be reached, as opposed to a node answering badly. */
const UNREACHABLE = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError']);
const noop = (): void => undefined;
/** Clients started and not being stopped by the provider: only these can be lost. */
const started = new WeakSet<Client>();

/** The @elastic/elasticsearch options an {@link ElasticsearchConfig} stands for. */
export function elasticsearchClientOptions(config: ElasticsearchConfig, name = 'elasticsearch-js'): ClientOptions {
  const auth = config.apiKey ? { apiKey: config.apiKey } : config.username ? { username: config.username, password: config.password } : undefined;
  return {
    name,
    ...(config.cloudId ? { cloud: { id: config.cloudId } } : { nodes: [...config.nodes] }),
    ...(auth ? { auth } : {}),
    requestTimeout: config.requestTimeout,
    maxRetries: config.maxRetries,
    tls: { rejectUnauthorized: config.tlsRejectUnauthorized },
    ...(config.caFingerprint ? { caFingerprint: config.caFingerprint } : {}),
  };
}

function createClient(config: ElasticsearchConfig, name: string): Client {
  const { Client: ElasticClient } = loadPeer<ElasticModule>('@elastic/elasticsearch', 'elasticsearch');
  return new ElasticClient(elasticsearchClientOptions(config, name));
}

/**
 * Start and health checks ask each node at most once: the client's `maxRetries` would multiply
 * the container's attempts, and its backoff sleeps (up to 4s, once every node was tried) do not
 * end when the request's signal aborts.
 */
function probe(client: Client, signal: AbortSignal, requestTimeout?: number): Promise<unknown> {
  const maxRetries = Math.max(0, client.connectionPool.size - 1);
  return client.info(undefined, { signal, maxRetries, ...(requestTimeout ? { requestTimeout } : {}) });
}

async function start(client: Client, signal: AbortSignal, config: ElasticsearchConfig): Promise<void> {
  signal.throwIfAborted();
  try {
    await abortable(probe(client, signal, config.requestTimeout), signal, () => void client.close().catch(noop));
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    await client.close().catch(noop);
    throw startError(config, err);
  }
}

async function healthCheck(client: Client, signal: AbortSignal): Promise<void> {
  try {
    await probe(client, signal);
  } catch (err) {
    throw answered(err) ?? err;
  }
}

/**
 * An HTTP answer (`ResponseError`) reduced to status and reason: its body, headers and request
 * metadata are dropped, since a proxy can echo the `Authorization` header in them.
 */
function answered(err: unknown): Error | undefined {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status !== 'number') return undefined;
  const body = (err as { body?: unknown }).body;
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : typeof error === 'string' ? error : undefined;
  const why = typeof error === 'object' && error !== null ? (error as { reason?: unknown }).reason : undefined;
  const parts = [type, why].filter((p): p is string => typeof p === 'string').map((p) => p.slice(0, 200));
  const clean = new Error(`HTTP ${status}${parts.length > 0 ? `: ${String(maskValue(parts.join(': ')))}` : ''}`);
  clean.name = 'ResponseError';
  Object.assign(clean, { statusCode: status });
  return clean;
}

async function stop(client: Client): Promise<void> {
  started.delete(client);
  await client.close();
}

function startError(config: ElasticsearchConfig, err: unknown): Error {
  const address = nodeAddresses(config);
  const reason = describeCause(err).replace(/\s+/g, ' ').trim();
  if (UNREACHABLE.has((err as Error | undefined)?.name ?? '')) {
    return new Error(`elasticsearch at ${address} is unreachable: ${reason}`, { cause: err });
  }
  const response = answered(err);
  if (response) return new Error(`elasticsearch at ${address}: health check failed: answered ${response.message}`, { cause: response });
  return new Error(`elasticsearch at ${address}: health check failed: ${reason}`, { cause: err });
}

/**
 * An Elasticsearch client (@elastic/elasticsearch `Client`) as a service. The configuration is
 * read and validated when this is called; each start attempt builds a fresh client and runs a
 * real request (`GET /`, which also verifies the server is Elasticsearch). Stop closes the client.
 * What is injected (`@Inject('es-1')`) and resolved is the `Client` itself.
 *
 * @throws BandmasterError `InvalidConfig` naming every bad variable (or `config.` field);
 * `InvalidDefinition` at start when the @elastic/elasticsearch package is not installed.
 * @example
 * ```ts
 * container.register(elasticsearch({ name: 'es-1', env: 'ES_EXAMPLE', retries: 3, backoff: 500 }));
 * await container.startAll();
 * await container.resolve<ElasticsearchClient>('es-1').index({ index: 'logs', document: { msg: 'hi' } });
 * ```
 */
export const elasticsearch = defineProvider<ElasticsearchConfig, Client>({
  provider: 'elasticsearch',
  peer: '@elastic/elasticsearch',
  configClass: ElasticsearchConfig,
  create: (config, { name }) => createClient(config, name),
  start: async (client, { signal, lost }, config) => {
    await start(client, signal, config);
    started.add(client);
    // the client has no connection events: an unreachable cluster is for health polls to see;
    // close() called by the application closes the client for good
    reportClosedByCode(client, 'close', () => started.has(client), lost, () => new Error(`elasticsearch client for ${nodeAddresses(config)} closed by the application: closed for good`));
  },
  healthCheck: (client, { signal }) => healthCheck(client, signal),
  stop: (client) => stop(client),
  connectDeadline: (config) => ({ ms: config.connectTimeout, address: nodeAddresses(config) }),
});
