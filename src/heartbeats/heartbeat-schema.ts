/** Row types of the heartbeat tables (migration 0003) and their mapping to records. Pure. */
import type { Generated } from 'kysely';
import type { RunsSchema } from '../runs/runs-schema.js';
import type { HeartbeatSnapshot, PingInput, PingKind } from './heartbeat-state.js';

/** `heartbeats`: one row per heartbeat unit: its ping token and what its last pings said. */
export interface HeartbeatsTable {
  unit_id: string;
  token: string;
  created_at: number;
  late_at: number;
  last_ping_at: number | null;
  last_ping_kind: string | null;
  last_exit_status: number | null;
  started_at: number | null;
}

/** `heartbeat_pings`: every ping received, with its body (the job's log, capped). */
export interface HeartbeatPingsTable {
  id: Generated<number>;
  unit_id: string;
  at: number;
  kind: string;
  exit_status: number | null;
  rid: string | null;
  duration_ms: number | null;
  method: string;
  remote_addr: string | null;
  user_agent: string | null;
  body: string;
  body_bytes: number;
  body_truncated: number;
}

/** The store's tables plus the heartbeat tables. */
export interface HeartbeatSchema extends RunsSchema {
  heartbeats: HeartbeatsTable;
  heartbeat_pings: HeartbeatPingsTable;
}

/** One stored ping, as the API shows it. */
export interface PingRecord {
  id: number;
  unitId: string;
  at: number;
  kind: PingKind;
  exitStatus: number | null;
  rid: string | null;
  /** Run time measured from the paired start ping. */
  durationMs: number | null;
  method: string;
  remoteAddr: string | null;
  userAgent: string | null;
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
}

/** A heartbeats row as a snapshot. */
export function snapshotFromRow(row: HeartbeatsTable): HeartbeatSnapshot {
  return {
    createdAt: Number(row.created_at),
    lateAt: Number(row.late_at),
    lastPingAt: row.last_ping_at === null ? null : Number(row.last_ping_at),
    lastPingKind: row.last_ping_kind as HeartbeatSnapshot['lastPingKind'],
    lastExitStatus: row.last_exit_status === null ? null : Number(row.last_exit_status),
    startedAt: row.started_at === null ? null : Number(row.started_at),
  };
}

/** The snapshot columns of a heartbeats row. */
export function snapshotColumns(s: HeartbeatSnapshot): Omit<HeartbeatsTable, 'unit_id' | 'token'> {
  return {
    created_at: s.createdAt,
    late_at: s.lateAt,
    last_ping_at: s.lastPingAt,
    last_ping_kind: s.lastPingKind,
    last_exit_status: s.lastExitStatus,
    started_at: s.startedAt,
  };
}

/** A ping as a row to insert. */
export function pingToRow(ping: PingInput, durationMs: number | null): Omit<HeartbeatPingsTable, 'id'> {
  return {
    unit_id: ping.unitId,
    at: ping.at,
    kind: ping.kind,
    exit_status: ping.exitStatus,
    rid: ping.rid,
    duration_ms: durationMs,
    method: ping.method,
    remote_addr: ping.remoteAddr,
    user_agent: ping.userAgent,
    body: ping.body,
    body_bytes: ping.bodyBytes,
    body_truncated: ping.bodyTruncated ? 1 : 0,
  };
}

/** A ping row as a record. */
export function pingFromRow(row: { id: number } & Omit<HeartbeatPingsTable, 'id'>): PingRecord {
  return {
    id: Number(row.id),
    unitId: row.unit_id,
    at: Number(row.at),
    kind: row.kind as PingKind,
    exitStatus: row.exit_status === null ? null : Number(row.exit_status),
    rid: row.rid,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    method: row.method,
    remoteAddr: row.remote_addr,
    userAgent: row.user_agent,
    body: row.body,
    bodyBytes: Number(row.body_bytes),
    bodyTruncated: Number(row.body_truncated) === 1,
  };
}
