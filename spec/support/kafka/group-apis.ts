/**
 * The classic consumer group protocol, one flexible version each (what @platformatic/kafka 1.x
 * and 2.x both speak): JoinGroup v6, SyncGroup v4, Heartbeat v4, LeaveGroup v4, OffsetCommit v8
 * and OffsetFetch v8. A join answers at once and starts a new generation (no waiting for the other
 * members to rejoin), which is exact for a group of one member, what the specs use; members of
 * an older generation are told to rejoin.
 */
import { KafkaReader, KafkaWriter } from './codec';
import { ApiKey, ErrorCode, type ApiHandler, type HandlerContext } from './protocol';
import type { GroupState } from './state';

function joinGroupBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const group = ctx.state.group(body.compactNullableString() ?? '');
  body.int32(); // session_timeout_ms: members leave explicitly here, none expires
  body.int32(); // rebalance_timeout_ms
  const memberId = body.compactNullableString() || ctx.state.newMemberId(ctx.clientId);
  body.compactNullableString(); // group_instance_id
  body.compactNullableString(); // protocol_type
  const protocols = readNamedBytes(body); // [name, metadata]
  group.members.set(memberId, { memberId, metadata: protocols[0]?.[1] ?? Buffer.alloc(0), protocols });
  group.generation++;
  group.assignments.clear();
  group.protocol = protocols[0]?.[0] ?? null;
  group.leader = group.members.keys().next().value ?? memberId;
  const members = memberId === group.leader ? [...group.members.values()].map((m) => ({ ...m, metadata: metadataFor(m.protocols, group.protocol) })) : [];
  return new KafkaWriter()
    .int32(0) // throttle_time_ms
    .int16(ErrorCode.None)
    .int32(group.generation)
    .compactNullableString(group.protocol)
    .compactNullableString(group.leader)
    .compactNullableString(memberId)
    .compactArray(members, (w, m) => w.compactNullableString(m.memberId).compactNullableString(null).compactNullableBytes(m.metadata).noTaggedFields())
    .noTaggedFields()
    .toBuffer();
}

/** A compact array of (compact string, compact bytes) entries, as JoinGroup protocols and SyncGroup assignments are. */
function readNamedBytes(body: KafkaReader): Array<readonly [string, Buffer]> {
  return (
    body.compactNullableArray((r) => {
      const entry = [r.compactNullableString() ?? '', r.compactNullableBytes() ?? Buffer.alloc(0)] as const;
      r.skipTaggedFields();
      return entry;
    }) ?? []
  );
}

function metadataFor(protocols: ReadonlyArray<readonly [string, Buffer]>, protocol: string | null): Buffer {
  return protocols.find(([name]) => name === protocol)?.[1] ?? Buffer.alloc(0);
}

/** The error of a request naming `memberId` in `generation`: unknown member, stale generation, or none. */
function membershipError(group: GroupState, memberId: string, generation: number): number {
  if (!group.members.has(memberId)) return ErrorCode.UnknownMemberId;
  return generation === group.generation ? ErrorCode.None : ErrorCode.IllegalGeneration;
}

function syncGroupBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const group = ctx.state.group(body.compactNullableString() ?? '');
  const generation = body.int32();
  const memberId = body.compactNullableString() ?? '';
  body.compactNullableString(); // group_instance_id
  const assignments = readNamedBytes(body); // [member id, assignment]
  const errorCode = membershipError(group, memberId, generation);
  if (errorCode === ErrorCode.None && memberId === group.leader) for (const [member, assignment] of assignments) group.assignments.set(member, assignment);
  const assignment = errorCode === ErrorCode.None ? (group.assignments.get(memberId) ?? Buffer.alloc(0)) : Buffer.alloc(0);
  return new KafkaWriter().int32(0).int16(errorCode).compactNullableBytes(assignment).noTaggedFields().toBuffer();
}

function heartbeatBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const group = ctx.state.group(body.compactNullableString() ?? '');
  const generation = body.int32();
  const error = membershipError(group, body.compactNullableString() ?? '', generation);
  return new KafkaWriter().int32(0).int16(error === ErrorCode.IllegalGeneration ? ErrorCode.RebalanceInProgress : error).noTaggedFields().toBuffer();
}

function leaveGroupBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const group = ctx.state.group(body.compactNullableString() ?? '');
  const members =
    body.compactNullableArray((r) => {
      const entry = { memberId: r.compactNullableString() ?? '', instanceId: r.compactNullableString() };
      r.skipTaggedFields();
      return entry;
    }) ?? [];
  const writer = new KafkaWriter().int32(0).int16(ErrorCode.None);
  writer.compactArray(members, (w, { memberId, instanceId }) => {
    const known = group.members.delete(memberId);
    group.assignments.delete(memberId);
    if (group.leader === memberId) group.leader = group.members.keys().next().value ?? null;
    w.compactNullableString(memberId).compactNullableString(instanceId).int16(known ? ErrorCode.None : ErrorCode.UnknownMemberId).noTaggedFields();
  });
  return writer.noTaggedFields().toBuffer();
}

function offsetCommitBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const group = ctx.state.group(body.compactNullableString() ?? '');
  const generation = body.int32();
  const memberId = body.compactNullableString() ?? '';
  body.compactNullableString(); // group_instance_id
  // generation -1 is a commit from outside the group (a simple consumer or an admin)
  const errorCode = generation < 0 ? ErrorCode.None : membershipError(group, memberId, generation);
  const topics =
    body.compactNullableArray((r) => {
      const name = r.compactNullableString() ?? '';
      const partitions =
        r.compactNullableArray((p) => {
          const index = p.int32();
          const offset = p.int64();
          p.int32(); // committed_leader_epoch
          p.compactNullableString(); // committed_metadata
          p.skipTaggedFields();
          if (errorCode === ErrorCode.None) group.offsets.set(`${name}:${index}`, offset);
          return index;
        }) ?? [];
      r.skipTaggedFields();
      return { name, partitions };
    }) ?? [];
  const writer = new KafkaWriter().int32(0);
  writer.compactArray(topics, (w, { name, partitions }) => {
    w.compactNullableString(name).compactArray(partitions, (pw, index) => pw.int32(index).int16(errorCode).noTaggedFields()).noTaggedFields();
  });
  return writer.noTaggedFields().toBuffer();
}

function readOffsetFetchGroup(r: KafkaReader): { id: string; topics: Array<{ name: string; partitions: number[] }> | null } {
  const id = r.compactNullableString() ?? '';
  const topics = r.compactNullableArray((t) => {
    const entry = { name: t.compactNullableString() ?? '', partitions: t.compactNullableArray((p) => p.int32()) ?? [] };
    t.skipTaggedFields();
    return entry;
  });
  r.skipTaggedFields();
  return { id, topics };
}

function offsetFetchBody(_version: number, body: KafkaReader, ctx: HandlerContext): Buffer {
  const groups = body.compactNullableArray(readOffsetFetchGroup) ?? [];
  const writer = new KafkaWriter().int32(0);
  writer.compactArray(groups, (w, request) => {
    const group = ctx.state.group(request.id);
    // no topic list means every committed offset of the group
    const topics = request.topics ?? committedTopics(group);
    w.compactNullableString(request.id).compactArray(topics, (tw, { name, partitions }) => {
      tw.compactNullableString(name).compactArray(partitions, (pw, index) => {
        pw.int32(index).int64(group.offsets.get(`${name}:${index}`) ?? -1n).int32(-1).compactNullableString('').int16(ErrorCode.None).noTaggedFields();
      });
      tw.noTaggedFields();
    });
    w.int16(ErrorCode.None).noTaggedFields();
  });
  return writer.noTaggedFields().toBuffer();
}

function committedTopics(group: GroupState): Array<{ name: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const key of group.offsets.keys()) {
    const at = key.lastIndexOf(':');
    byTopic.set(key.slice(0, at), [...(byTopic.get(key.slice(0, at)) ?? []), Number(key.slice(at + 1))]);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}

/** The handlers of the group APIs, by API key. */
export const groupApis: ReadonlyArray<readonly [number, ApiHandler]> = [
  [ApiKey.OffsetCommit, { minVersion: 8, maxVersion: 8, firstFlexible: 8, handle: offsetCommitBody }],
  [ApiKey.OffsetFetch, { minVersion: 8, maxVersion: 8, firstFlexible: 6, handle: offsetFetchBody }],
  [ApiKey.JoinGroup, { minVersion: 6, maxVersion: 6, firstFlexible: 6, handle: joinGroupBody }],
  [ApiKey.Heartbeat, { minVersion: 4, maxVersion: 4, firstFlexible: 4, handle: heartbeatBody }],
  [ApiKey.LeaveGroup, { minVersion: 4, maxVersion: 4, firstFlexible: 4, handle: leaveGroupBody }],
  [ApiKey.SyncGroup, { minVersion: 4, maxVersion: 4, firstFlexible: 4, handle: syncGroupBody }],
];
