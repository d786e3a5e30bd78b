/**
 * Produce v7, Fetch v13 and ListOffsets v5 over the broker's in-memory logs: one version each,
 * the ones @platformatic/kafka 1.x and 2.x both speak (1.x only has Fetch v12+, and its v12 sends
 * topic ids where names belong, so v13, which carries ids, is the faithful one).
 * acks=0 is not supported (every Produce is answered).
 */
import { KafkaReader, KafkaWriter } from './codec';
import { ApiKey, ErrorCode, type ApiHandler, type HandlerContext } from './protocol';

/** Longest a Fetch with nothing to return waits, whatever its max_wait_ms. */
const MAX_LONG_POLL_MS = 1_000;

function produceBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  body.nullableString(); // transactional_id
  body.int16(); // acks
  body.int32(); // timeout_ms
  const topics = body.nullableArray((r) => ({
    name: r.nullableString() ?? '',
    partitions: r.nullableArray((p) => ({ index: p.int32(), records: p.nullableBytes() })) ?? [],
  }));
  const writer = new KafkaWriter();
  writer.array(topics ?? [], (w, topic) => {
    w.nullableString(topic.name).array(topic.partitions, (pw, { index, records }) => {
      const [errorCode, base] = append(ctx, topic.name, index, records);
      pw.int32(index).int16(errorCode).int64(base).int64(-1n).int64(0n); // log_append_time (none), log_start_offset
    });
  });
  return writer.int32(0).toBuffer(); // throttle_time_ms
}

function append(ctx: HandlerContext, topic: string, partition: number, records: Buffer | null): [number, bigint] {
  if (!ctx.state.topic(topic) || partition !== 0) return [ErrorCode.UnknownTopicOrPartition, -1n];
  try {
    return [ErrorCode.None, ctx.state.append(topic, records ?? Buffer.alloc(0))];
  } catch {
    return [ErrorCode.CorruptMessage, -1n];
  }
}

interface FetchPartition {
  readonly partition: number;
  readonly offset: bigint;
  readonly maxBytes: number;
}

function readFetch(body: KafkaReader): { maxWaitMs: number; topics: Array<{ id: string; partitions: FetchPartition[] }> } {
  body.int32(); // replica_id
  const maxWaitMs = body.int32();
  body.int32(); // min_bytes
  body.int32(); // max_bytes
  body.int8(); // isolation_level: nothing is transactional here
  body.int32(); // session_id: no fetch sessions, every request is full
  body.int32(); // session_epoch
  const topics =
    body.compactNullableArray((r) => {
      const id = r.uuid();
      const partitions =
        r.compactNullableArray((p) => {
          const partition = p.int32();
          p.int32(); // current_leader_epoch
          const offset = p.int64();
          p.int32(); // last_fetched_epoch
          p.int64(); // log_start_offset
          const maxBytes = p.int32();
          p.skipTaggedFields();
          return { partition, offset, maxBytes };
        }) ?? [];
      r.skipTaggedFields();
      return { id, partitions };
    }) ?? [];
  return { maxWaitMs, topics };
}

async function fetchBody(_version: number, body: KafkaReader, ctx: HandlerContext): Promise<Buffer> {
  const request = readFetch(body); // forgotten_topics_data and rack_id follow: unused without sessions
  const hasData = (): boolean =>
    request.topics.some(({ id, partitions }) => partitions.some((p) => (ctx.state.topicById(id)?.end ?? 0n) > p.offset));
  // a long poll, as a broker holds a Fetch until data arrives or max_wait_ms passes
  if (!hasData() && request.maxWaitMs > 0) await ctx.state.waitForAppend(Math.min(request.maxWaitMs, MAX_LONG_POLL_MS));
  const writer = new KafkaWriter().int32(0).int16(ErrorCode.None).int32(0); // throttle_time_ms, error_code, session_id
  writer.compactArray(request.topics, (w, { id, partitions }) => {
    const topic = ctx.state.topicById(id);
    w.uuid(id).compactArray(partitions, (pw, p) => {
      const errorCode = !topic ? ErrorCode.UnknownTopicId : p.partition !== 0 ? ErrorCode.UnknownTopicOrPartition : p.offset > topic.end ? ErrorCode.OffsetOutOfRange : ErrorCode.None;
      const end = topic?.end ?? -1n;
      pw.int32(p.partition).int16(errorCode).int64(end).int64(end).int64(topic ? 0n : -1n); // high watermark, last stable offset, log start
      pw.compactArray([], () => undefined).int32(-1); // aborted_transactions, preferred_read_replica
      pw.compactNullableBytes(errorCode === ErrorCode.None ? ctx.state.read(topic!.name, p.offset, p.maxBytes) : Buffer.alloc(0));
      pw.noTaggedFields();
    });
    w.noTaggedFields();
  });
  return writer.noTaggedFields().toBuffer();
}

const EARLIEST = -2n;

function listOffsetsBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  body.int32(); // replica_id
  body.int8(); // isolation_level
  const topics = body.nullableArray((r) => ({
    name: r.nullableString() ?? '',
    partitions: r.nullableArray((p) => {
      const index = p.int32();
      p.int32(); // current_leader_epoch
      return { index, timestamp: p.int64() };
    }) ?? [],
  }));
  const writer = new KafkaWriter().int32(0); // throttle_time_ms
  writer.array(topics ?? [], (w, { name, partitions }) => {
    const topic = ctx.state.topic(name);
    w.nullableString(name).array(partitions, (pw, { index, timestamp }) => {
      const known = topic !== undefined && index === 0;
      // earliest is the log start; latest and any timestamp lookup answer the log end
      const offset = !known ? -1n : timestamp === EARLIEST ? 0n : topic.end;
      pw.int32(index).int16(known ? ErrorCode.None : ErrorCode.UnknownTopicOrPartition).int64(-1n).int64(offset).int32(0);
    });
  });
  return writer.toBuffer();
}

/** The handlers of the log APIs, by API key. */
export const logApis: ReadonlyArray<readonly [number, ApiHandler]> = [
  [ApiKey.Produce, { minVersion: 7, maxVersion: 7, firstFlexible: 9, handle: produceBody }],
  [ApiKey.Fetch, { minVersion: 13, maxVersion: 13, firstFlexible: 12, handle: fetchBody }],
  [ApiKey.ListOffsets, { minVersion: 5, maxVersion: 5, firstFlexible: 6, handle: listOffsetsBody }],
];
