/**
 * What the test broker's API handlers share: API keys, error codes, the broker's identity and
 * state, and the shape of a handler.
 */
import type { KafkaReader } from './codec';
import type { BrokerState } from './state';

/** Kafka API keys the test broker knows about. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  ApiVersions: 18,
  InitProducerId: 22,
} as const;

/** Kafka error codes the broker emits itself. */
export const ErrorCode = {
  None: 0,
  OffsetOutOfRange: 1,
  CorruptMessage: 2,
  UnknownTopicOrPartition: 3,
  IllegalGeneration: 22,
  UnknownMemberId: 25,
  RebalanceInProgress: 27,
  UnsupportedVersion: 35,
  UnknownTopicId: 100,
} as const;

/** Who the broker claims to be in Metadata responses. */
export interface BrokerIdentity {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly clusterId: string;
}

/** Per-request state the server hands to the handlers. */
export interface HandlerContext {
  readonly identity: BrokerIdentity;
  /** When set, every Metadata topic entry carries this error code. */
  readonly metadataErrorCode: number | undefined;
  /** Hosted topics and consumer groups. */
  readonly state: BrokerState;
  /** The client id of the request's header. */
  readonly clientId: string;
  nextProducerId(): bigint;
}

/** One API: the versions it answers and how. */
export interface ApiHandler {
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First version using the flexible encoding (header v2, compact types). */
  readonly firstFlexible: number;
  /** The response body; a promise for requests that wait (a Fetch long poll). */
  handle(version: number, body: KafkaReader, ctx: HandlerContext): Buffer | Promise<Buffer>;
}

/** The "no value" of int32 fields such as authorized operations. */
export const INT32_UNSET = -2147483648;
