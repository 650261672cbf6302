// Creates or updates the HOOKWATCH JetStream stream: subjects, retention (max age), duplicate window, replicas.
import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { STREAM_NAME, SUBJECT_ROOT } from './subjects.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface StreamOptions {
  /** How long the broker keeps messages (followers can be away this long and still catch up). Default 30 days. */
  retentionMs?: number;
  /**
   * How long JetStream remembers message ids to drop a re-publish (Nats-Msg-Id). The publisher
   * re-sends only what it had not marked sent (a crash between publish and mark, a publish whose
   * ack was lost in an outage), which happens within minutes of the first try; an hour covers a hub
   * that crashed and came back slowly, and keeps the server's id memory small. Followers also
   * dedupe by message id (hub_inbox), so an older repeat still lands once. Default 1 hour.
   */
  duplicateWindowMs?: number;
  /** Copies of each message in a JetStream cluster: 1 on a single server, 3 for a three-node cluster. */
  replicas?: number;
  /** Upper bound of stored bytes; -1 for none (max age is the retention rule). */
  maxBytes?: number;
}

export const DEFAULT_RETENTION_MS = 30 * DAY_MS;
export const DEFAULT_DUPLICATE_WINDOW_MS = 60 * 60 * 1000;

export function streamConfig(options: StreamOptions = {}): Partial<StreamConfig> & { name: string } {
  const retention = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const dupWindow = Math.min(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS, retention);
  return {
    name: STREAM_NAME,
    description: 'Hookwatch: webhook events, account states and incidents, per workspace (docs/hub.md)',
    subjects: [`${SUBJECT_ROOT}.>`],
    // Limits retention (not work-queue or interest): every follower and forwarder reads the same
    // messages at its own pace, and a follower that was away for days still finds them.
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(retention),
    max_bytes: options.maxBytes ?? -1,
    duplicate_window: nanos(dupWindow),
    num_replicas: options.replicas ?? 1,
    // Full by age or bytes: drop the oldest rather than refuse the newest; the hub must keep publishing.
    discard: DiscardPolicy.Old,
  };
}

/** Whether an error is JetStream's "stream not found" (the API's code 10059). */
export function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === 10059;
}

/**
 * Makes sure the stream exists with our settings. An existing stream keeps its data; retention,
 * duplicate window and replicas are updated in place when they differ (JetStream allows that,
 * including raising replicas in a cluster).
 */
export async function ensureStream(ncOrJsm: NatsConnection | JetStreamManager, options: StreamOptions = {}): Promise<StreamInfo> {
  const jsm = 'streams' in ncOrJsm ? ncOrJsm : await jetstreamManager(ncOrJsm);
  const wanted = streamConfig(options);
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(STREAM_NAME);
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
    return await jsm.streams.add(wanted);
  }
  const c = info.config;
  if (
    c.max_age !== wanted.max_age ||
    c.duplicate_window !== wanted.duplicate_window ||
    c.num_replicas !== wanted.num_replicas ||
    c.max_bytes !== wanted.max_bytes
  ) {
    info = await jsm.streams.update(STREAM_NAME, {
      ...c,
      max_age: wanted.max_age!,
      duplicate_window: wanted.duplicate_window!,
      num_replicas: wanted.num_replicas!,
      max_bytes: wanted.max_bytes!,
    });
  }
  return info;
}
