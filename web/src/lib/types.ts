/** The API's shapes as the dashboard reads them (docs: /work contract of issue 8; src/runs/unit-view.ts...). */

/** GET /api/auth/me */
export interface Me {
  user: { id: string; email: string; role: Role; totp: boolean };
  csrfToken: string;
}

export type Role = 'viewer' | 'operator' | 'admin';

/** A unit as /api/units and /api/apps/:app show it (src/runs/unit-view.ts). */
export interface UnitView {
  id: string;
  app: string;
  name: string;
  kind: string;
  target: string;
  schedule: string;
  state: string;
  severity: string | null;
  since: number;
  summary: string | null;
  lastRunAt: number | null;
  lastOutcome: string | null;
  nextRunAt: number | null;
  running: boolean;
  heartbeat?: { token: string; pingUrl: string };
  /** Last 24 h, hourly (GET /api/apps/:app). */
  spark?: { t: number; up: number | null; ms: number | null }[];
}

/** GET /api/units/:app/:name */
export interface UnitDetail extends UnitView {
  transitions: Transition[];
}

export interface Transition {
  unitId: string;
  at: number;
  from: string;
  to: string;
  severity?: string;
  reason: string;
  inMaintenance: boolean;
}

export interface Run {
  id?: number;
  unitId: string;
  startedAt: number;
  endedAt: number;
  outcome: string;
  summary: string;
  durationMs: number;
  details: unknown;
  values: Record<string, number>;
}

export interface Rollup {
  bucketStart: number;
  runs: number;
  okRuns: number;
  failedRuns: number;
  errorRuns: number;
  durationSumMs: number;
  durationMaxMs: number;
}

/** A firing alert on the overview. */
export interface Firing {
  unitId: string;
  app: string;
  name: string;
  kind: string;
  severity: string | null;
  since: number;
  reason: string;
}

/** A maintenance window as the overview lists it (planned or ad hoc). */
export interface MaintenanceWindow {
  id?: string | number;
  apps?: string[];
  app?: string | null;
  reason?: string | null;
  startsAt?: number;
  endsAt?: number | null;
  from?: number;
  to?: number | null;
  until?: number | null;
  expiresAt?: number | null;
  createdAt?: number;
}

/** GET /api/overview */
export interface Overview {
  apps: { name: string; worst: string; counts: Record<string, number>; units: number | UnitView[] }[];
  counts: Record<string, number>;
  firing: Firing[];
  maintenance: { active: MaintenanceWindow[]; next: MaintenanceWindow[] };
  overrides: number;
}

/** GET /api/apps/:app */
export interface AppDetail {
  name: string;
  checks: UnitView[];
  heartbeats: UnitView[];
  backups: UnitView[];
  /** The cursor of the next page of units (`?cursor=`), null on the last. */
  next?: string | null;
}

export interface Override {
  id: string | number;
  kind: 'pause' | 'silence' | 'maintenance' | 'ack';
  app: string | null;
  unitId: string | null;
  author: string;
  reason: string;
  createdAt: number;
  expiresAt: number | null;
  clearedAt: number | null;
  clearedBy: string | null;
}

export type Uptime = Record<'24h' | '7d' | '30d' | '1y', number | null>;

export interface Ping {
  id: number;
  at: number;
  kind: string;
  exitStatus: number | null;
  durationMs: number | null;
  method: string;
  remoteAddr: string | null;
  userAgent: string | null;
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
}

export interface ChannelState {
  channel: string;
  disabledAt: number | null;
  disabledReason: string | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastSuccessAt: number | null;
}

export interface Delivery {
  id: number;
  outboxId: number;
  channel: string;
  attempt: number;
  startedAt: number;
  endedAt: number | null;
  ok: boolean | null;
  statusCode: number | null;
  error: string | null;
  permanent: boolean | null;
}

export interface OutboxRow {
  id: number;
  unitId: string;
  channel: string;
  event: string;
  createdAt: number;
  attempts: number;
  status: string;
  lastError: string | null;
  sentAt: number | null;
}

export interface AuditEntry {
  id: string | number;
  at: number;
  actor: string;
  action: string;
  target: string;
  ip: string | null;
  detail: unknown;
}

export interface Backup {
  id: string;
  state: string;
  startedAt: number;
  takenAt: number | null;
  drilledAt: number | null;
  failedIn: string | null;
  reason: string | null;
  sizeBytes: number | null;
  ciphertextSha256: string | null;
  plaintextSha256: string | null;
  counts: Record<string, number> | null;
  engine: string;
  target: string;
}

export interface PlanInfo {
  path: string;
  loadedAt: number;
  lastReload: null | { at: number; ok: boolean; issues?: PlanIssue[] };
}

export interface PlanIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** GET /api/announcements?app= (src/status/announcement-store.ts). Times are ms since epoch. */
export interface Announcement {
  id: number;
  app: string;
  title: string;
  body: string;
  severity: 'info' | 'warning' | 'critical';
  startsAt: number;
  /** null: until deleted. */
  endsAt: number | null;
  createdAt: number;
  author: string | null;
}
