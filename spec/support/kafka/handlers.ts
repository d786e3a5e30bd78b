/**
 * Request parsing and the Kafka APIs the test broker answers: ApiVersions, Metadata,
 * FindCoordinator and InitProducerId here (everything kafkajs sends for admin.connect(),
 * admin.describeCluster() and producer.connect(), including idempotent producers, and what the
 * @platformatic/kafka provider's start sends: flexible Metadata v9+, FindCoordinator v4+), the
 * log APIs in log-apis.ts and the consumer group APIs in group-apis.ts (what a
 * @platformatic/kafka producer and group consumer send).
 */
import { KafkaReader, KafkaWriter } from './codec';
import { groupApis } from './group-apis';
import { logApis } from './log-apis';
import { ApiKey, ErrorCode, INT32_UNSET, type ApiHandler, type HandlerContext } from './protocol';
import type { HostedTopic } from './state';

export { ApiKey, ErrorCode } from './protocol';
export type { BrokerIdentity, HandlerContext } from './protocol';

/** Request header v1 (classic) or v2 (flexible: adds tagged fields). */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/** A response ready to frame (its body may still be waiting), or null when the connection must be closed. */
export interface HandlerResult {
  readonly headerVersion: 0 | 1;
  readonly body: Buffer | Promise<Buffer>;
}

/** Metadata has no top-level error code, so a cluster-only request needs a topic entry to carry it. */
const FAULT_TOPIC = '__kafka_test_broker_fault';

const handlers = new Map<number, ApiHandler>([
  [ApiKey.ApiVersions, { minVersion: 0, maxVersion: 3, firstFlexible: 3, handle: (v) => apiVersionsBody(v, ErrorCode.None) }],
  // 0-6 for kafkajs, 9-12 (flexible) for @platformatic/kafka, which speaks nothing older; 7-8 between
  [ApiKey.Metadata, { minVersion: 0, maxVersion: 12, firstFlexible: 9, handle: (v, body, ctx) => (v >= 9 ? flexibleMetadataBody(v, body, ctx) : metadataBody(v, body, ctx)) }],
  // the batched layout (v4+) only: @platformatic/kafka finds its group coordinator with it
  [ApiKey.FindCoordinator, { minVersion: 4, maxVersion: 6, firstFlexible: 4, handle: findCoordinatorBody }],
  [ApiKey.InitProducerId, { minVersion: 0, maxVersion: 4, firstFlexible: 2, handle: initProducerIdBody }],
  ...logApis,
  ...groupApis,
]);

/** The supported version range of every implemented API, ascending by key. */
export function supportedApis(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return [...handlers.entries()]
    .sort(([a], [b]) => a - b)
    .map(([apiKey, { minVersion, maxVersion }]) => ({ apiKey, minVersion, maxVersion }));
}

/** Parses the request header, leaving the reader positioned at the body. */
export function readRequestHeader(reader: KafkaReader): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  const handler = handlers.get(apiKey);
  if (handler && isSupported(handler, apiVersion) && apiVersion >= handler.firstFlexible) {
    reader.skipTaggedFields();
  }
  return { apiKey, apiVersion, correlationId, clientId };
}

/**
 * Answers one request. Unknown APIs and unsupported versions yield null
 * because a real broker closes the connection for them; ApiVersions is the
 * exception and answers UNSUPPORTED_VERSION in v0 layout so clients can
 * downgrade.
 */
export function handleRequest(header: RequestHeader, body: KafkaReader, ctx: HandlerContext): HandlerResult | null {
  const handler = handlers.get(header.apiKey);
  if (header.apiKey === ApiKey.ApiVersions && handler && !isSupported(handler, header.apiVersion)) {
    return { headerVersion: 0, body: apiVersionsBody(0, ErrorCode.UnsupportedVersion) };
  }
  if (!handler || !isSupported(handler, header.apiVersion)) return null;
  const flexible = header.apiVersion >= handler.firstFlexible;
  // ApiVersions always uses response header v0 so clients can parse it before knowing versions.
  const headerVersion = flexible && header.apiKey !== ApiKey.ApiVersions ? 1 : 0;
  return { headerVersion, body: handler.handle(header.apiVersion, body, ctx) };
}

function isSupported(handler: ApiHandler, version: number): boolean {
  return version >= handler.minVersion && version <= handler.maxVersion;
}

function apiVersionsBody(version: number, errorCode: number): Buffer {
  const writer = new KafkaWriter().int16(errorCode);
  const apis = supportedApis();
  if (version >= 3) {
    writer.compactArray(apis, (w, api) => {
      w.int16(api.apiKey).int16(api.minVersion).int16(api.maxVersion).noTaggedFields();
    });
  } else {
    writer.array(apis, (w, api) => w.int16(api.apiKey).int16(api.minVersion).int16(api.maxVersion));
  }
  if (version >= 1) writer.int32(0); // throttle_time_ms
  if (version >= 3) writer.noTaggedFields();
  return writer.toBuffer();
}

/** Requested topic names; null means "all topics" (v0 encodes that as an empty array). */
function readMetadataTopics(version: number, body: KafkaReader): string[] | null {
  const topics = body.nullableArray((r) => r.nullableString() ?? '');
  if (version >= 4) body.bool(); // allow_auto_topic_creation: the broker never creates topics
  if (version === 0 && topics?.length === 0) return null;
  return topics;
}

/** One topic entry of a Metadata response: hosted topics have partition 0, led by this broker. */
interface MetadataTopic {
  readonly name: string;
  readonly errorCode: number;
  readonly hosted?: HostedTopic;
}

function metadataTopics(topics: string[] | null, ctx: HandlerContext): MetadataTopic[] {
  if (ctx.metadataErrorCode) {
    const names = topics && topics.length > 0 ? topics : [FAULT_TOPIC];
    return names.map((name) => ({ name, errorCode: ctx.metadataErrorCode! }));
  }
  // Only the topics given at start-up exist, like a real broker with auto-creation disabled.
  if (topics === null) return ctx.state.topics().map((hosted) => ({ name: hosted.name, errorCode: ErrorCode.None, hosted }));
  return topics.map((name) => {
    const hosted = ctx.state.topic(name);
    return hosted ? { name, errorCode: ErrorCode.None, hosted } : { name, errorCode: ErrorCode.UnknownTopicOrPartition };
  });
}

function metadataBody(version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const topics = metadataTopics(readMetadataTopics(version, body), ctx);
  const { nodeId, host, port, clusterId } = ctx.identity;
  const writer = new KafkaWriter();
  if (version >= 3) writer.int32(0); // throttle_time_ms
  writer.array([ctx.identity], (w) => {
    w.int32(nodeId).nullableString(host).int32(port);
    if (version >= 1) w.nullableString(null); // rack
  });
  if (version >= 2) writer.nullableString(clusterId);
  if (version >= 1) writer.int32(nodeId); // controller_id: the only broker is the controller
  writer.array(topics, (w, { name, errorCode, hosted }) => {
    w.int16(errorCode).nullableString(name);
    if (version >= 1) w.bool(false); // is_internal
    w.array(hosted ? [nodeId] : [], (pw) => {
      pw.int16(ErrorCode.None).int32(0).int32(nodeId); // partition 0, led by this broker
      if (version >= 7) pw.int32(0); // leader_epoch
      pw.array([nodeId], (rw, id) => rw.int32(id)).array([nodeId], (rw, id) => rw.int32(id)); // replicas, isr
      if (version >= 5) pw.array([], () => undefined); // offline_replicas
    });
    if (version >= 8) w.int32(INT32_UNSET); // topic_authorized_operations: not asked for
  });
  if (version >= 8) writer.int32(INT32_UNSET); // cluster_authorized_operations
  return writer.toBuffer();
}

function initProducerIdBody(version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const flexible = version >= 2;
  if (flexible) body.compactNullableString();
  else body.nullableString(); // transactional_id
  body.int32(); // transaction_timeout_ms
  const writer = new KafkaWriter()
    .int32(0) // throttle_time_ms
    .int16(ErrorCode.None)
    .int64(ctx.nextProducerId())
    .int16(0); // producer_epoch
  return flexible ? writer.noTaggedFields().toBuffer() : writer.toBuffer();
}

/** Requested topic names of Metadata v9+ (compact, v10+ with topic ids); null means "all topics". */
function readFlexibleMetadataTopics(version: number, body: KafkaReader): string[] | null {
  const count = body.uvarint() - 1;
  if (count < 0) return null;
  const topics: string[] = [];
  for (let i = 0; i < count; i++) {
    if (version >= 10) body.skip(16); // topic_id
    topics.push(body.compactNullableString() ?? '');
    body.skipTaggedFields();
  }
  return topics;
}

/** Metadata v9-v12, the flexible layout: compact strings and arrays, tagged fields, topic ids from v10. */
function flexibleMetadataBody(version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const topics = metadataTopics(readFlexibleMetadataTopics(version, body), ctx);
  const { nodeId, host, port, clusterId } = ctx.identity;
  const writer = new KafkaWriter().int32(0); // throttle_time_ms
  writer.compactArray([ctx.identity], (w) => w.int32(nodeId).compactNullableString(host).int32(port).compactNullableString(null).noTaggedFields());
  writer.compactNullableString(clusterId).int32(nodeId);
  writer.compactArray(topics, (w, { name, errorCode, hosted }) => {
    w.int16(errorCode).compactNullableString(name);
    if (version >= 10) w.uuid(hosted?.id ?? '0'.repeat(32));
    w.bool(false); // is_internal
    w.compactArray(hosted ? [nodeId] : [], (pw) => {
      // partition 0, led by this broker, leader epoch 0, replicas and isr this broker, no offline replicas
      pw.int16(ErrorCode.None).int32(0).int32(nodeId).int32(0);
      pw.compactArray([nodeId], (rw, id) => rw.int32(id)).compactArray([nodeId], (rw, id) => rw.int32(id)).compactArray([], () => undefined).noTaggedFields();
    });
    w.int32(INT32_UNSET).noTaggedFields(); // topic_authorized_operations
  });
  if (version <= 10) writer.int32(INT32_UNSET); // cluster_authorized_operations
  return writer.noTaggedFields().toBuffer();
}

/** FindCoordinator v4-v6: this broker coordinates every group (and transaction) asked about. */
function findCoordinatorBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  body.int8(); // key_type
  const keys = Array.from({ length: Math.max(0, body.uvarint() - 1) }, () => body.compactNullableString() ?? '');
  const { nodeId, host, port } = ctx.identity;
  return new KafkaWriter()
    .int32(0) // throttle_time_ms
    .compactArray(keys, (w, key) => w.compactNullableString(key).int32(nodeId).compactNullableString(host).int32(port).int16(ErrorCode.None).compactNullableString(null).noTaggedFields())
    .noTaggedFields()
    .toBuffer();
}
