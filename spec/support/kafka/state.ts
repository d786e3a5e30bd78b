/**
 * What the test broker remembers between requests: the topics it hosts (one partition each, an
 * in-memory log of the record batches produced to it) and its consumer groups (members, the
 * leader's assignments, committed offsets).
 */
import { randomUUID } from 'node:crypto';

/** One record batch as produced, its base offset rewritten to where it sits in the log. */
interface StoredBatch {
  readonly base: bigint;
  readonly next: bigint;
  readonly bytes: Buffer;
}

/** A hosted topic: partition 0 only. */
export interface HostedTopic {
  readonly name: string;
  /** Topic id (Metadata v10+, Fetch v13+), 32 hex digits. */
  readonly id: string;
  /** The next offset to assign (the high watermark). */
  readonly end: bigint;
}

/** A member of a consumer group. */
export interface GroupMember {
  readonly memberId: string;
  /** The member's subscription for the group's protocol. */
  readonly metadata: Buffer;
}

/** A consumer group. One member at a time is what the broker is built for (see `join`). */
export interface GroupState {
  generation: number;
  protocol: string | null;
  leader: string | null;
  readonly members: Map<string, GroupMember & { readonly protocols: ReadonlyArray<readonly [string, Buffer]> }>;
  readonly assignments: Map<string, Buffer>;
  /** Committed offsets by `topic:partition`. */
  readonly offsets: Map<string, bigint>;
}

// record batch v2 layout: baseOffset int64, batchLength int32, leaderEpoch int32, magic int8, crc, attributes, lastOffsetDelta int32
const BATCH_LENGTH_AT = 8;
const MAGIC_AT = 16;
const LAST_OFFSET_DELTA_AT = 23;
const BATCH_HEADER_BYTES = 61;

/** Logs and groups of one test broker. */
export class BrokerState {
  readonly #topics = new Map<string, { id: string; batches: StoredBatch[]; end: bigint }>();
  readonly #groups = new Map<string, GroupState>();
  readonly #waiters = new Set<() => void>();
  #members = 0;

  constructor(topics: readonly string[]) {
    for (const name of topics) this.#topics.set(name, { id: randomUUID().replaceAll('-', ''), batches: [], end: 0n });
  }

  /** The hosted topic called `name`, or undefined. */
  topic(name: string): HostedTopic | undefined {
    const log = this.#topics.get(name);
    return log && { name, id: log.id, end: log.end };
  }

  /** Every hosted topic. */
  topics(): HostedTopic[] {
    return [...this.#topics.keys()].map((name) => this.topic(name)!);
  }

  /** The hosted topic whose id is `id`, or undefined. */
  topicById(id: string): HostedTopic | undefined {
    return this.topics().find((topic) => topic.id === id);
  }

  /**
   * Appends the record batches of one Produce partition entry and returns the first offset
   * assigned; throws on anything but record batches v2 (magic 2).
   */
  append(name: string, records: Buffer): bigint {
    const log = this.#topics.get(name)!;
    const first = log.end;
    for (let at = 0; at < records.length; ) {
      if (records.length - at < BATCH_HEADER_BYTES || records.readInt8(at + MAGIC_AT) !== 2) throw new Error('not a record batch v2');
      const size = 12 + records.readInt32BE(at + BATCH_LENGTH_AT);
      const bytes = Buffer.from(records.subarray(at, at + size));
      const count = BigInt(bytes.readInt32BE(LAST_OFFSET_DELTA_AT) + 1);
      // the CRC covers the bytes from the attributes on, so the base offset can be rewritten
      bytes.writeBigInt64BE(log.end, 0);
      log.batches.push({ base: log.end, next: log.end + count, bytes });
      log.end += count;
      at += size;
    }
    for (const wake of this.#waiters) wake();
    return first;
  }

  /** The batches holding offsets from `offset` on, concatenated, at least one batch, at most about `maxBytes`. */
  read(name: string, offset: bigint, maxBytes: number): Buffer {
    const out: Buffer[] = [];
    let size = 0;
    for (const batch of this.#topics.get(name)?.batches ?? []) {
      if (batch.next <= offset) continue;
      if (out.length > 0 && size + batch.bytes.length > maxBytes) break;
      out.push(batch.bytes);
      size += batch.bytes.length;
    }
    return Buffer.concat(out);
  }

  /** Resolves at the next append, after `ms`, or when the broker closes, whichever comes first. */
  waitForAppend(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /** The group called `id`, created empty on first use. */
  group(id: string): GroupState {
    let group = this.#groups.get(id);
    if (!group) {
      group = { generation: 0, protocol: null, leader: null, members: new Map(), assignments: new Map(), offsets: new Map() };
      this.#groups.set(id, group);
    }
    return group;
  }

  /** A new member id, unique within this broker. */
  newMemberId(clientId: string): string {
    return `${clientId}-${++this.#members}`;
  }

  /** Wakes every pending long poll (the broker is closing). */
  close(): void {
    for (const wake of this.#waiters) wake();
  }
}
