/** What control's routes need from the running upkeep, wired by the composition root (src/app.ts). */
import type { TestSendResult } from '../notify/notifier.js';
import type { AuditLog } from './audit-port.js';
import type { Overrides } from './overrides.js';
import type { PlanReloader } from './plan-reload.js';

/** A unit of the running plan, as control needs it. */
export interface ControlUnit {
  id: string;
  app: string;
  name: string;
  kind: string;
}

/** The running upkeep's side of control. */
export interface Control {
  overrides: Overrides;
  reloader: PlanReloader;
  /** The unit of this id in the running plan. */
  unit(id: string): ControlUnit | undefined;
  /** The apps of the running plan. */
  apps(): string[];
  /** Makes the unit due now through the scheduler (it runs in the loop, not in the request). */
  runNow(id: string): Promise<boolean>;
  /** Sends a test message to a channel (the notifier's test send, shared with `upkeep notify test`). */
  testSend(channel: string): Promise<TestSendResult>;
  /** True when the plan names this channel. */
  hasChannel(name: string): boolean;
}

/** The server's dependencies control reads. */
export interface ControlRouteDeps {
  control?: Control;
  audit?: AuditLog;
  now: () => number;
  store: { getUnit(id: string): Promise<{ alert: { state: string } } | undefined> };
}
