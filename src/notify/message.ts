/** Builds the AlertMessage every channel renders, from a unit record and what happened. Pure. */
import type { Severity } from '../core/outcome.js';
import type { UnitRecord } from '../core/run.js';
import type { AlertMessage } from './channel.js';

/** Link to a unit in upkeep's web server (the unit's API page until the dashboard has its own). */
export function unitUrl(baseUrl: string, unit: { app: string; name: string }): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/units/${encodeURIComponent(unit.app)}/${encodeURIComponent(unit.name)}`;
}

/** The stable id of one problem of one unit: the same for its firing, reminders and resolved message. */
export function dedupKey(unitId: string, since: number): string {
  return `upkeep:${unitId}:${since}`;
}

/** The message for `event` about `unit`: `since` is when the problem started, `at` when this event happened. */
export function buildMessage(input: {
  event: AlertMessage['event'];
  unit: Pick<UnitRecord, 'id' | 'app' | 'name' | 'target' | 'alert'>;
  severity: Severity | null;
  since: number;
  at: number;
  reason: string;
  baseUrl: string;
}): AlertMessage {
  const { unit } = input;
  return {
    event: input.event,
    app: unit.app,
    unitId: unit.id,
    unitName: unit.name,
    severity: input.severity,
    since: input.since,
    at: input.at,
    reason: input.reason,
    summary: unit.alert.lastSummary ?? input.reason,
    target: unit.target,
    url: unitUrl(input.baseUrl, unit),
    dedupKey: dedupKey(unit.id, input.since),
  };
}

/** The message `upkeep notify test <channel>` sends. */
export function testMessage(channel: string, at: number, baseUrl: string): AlertMessage {
  return {
    event: 'test',
    app: 'upkeep',
    unitId: 'upkeep/notify-test',
    unitName: 'notify-test',
    severity: 'info',
    since: at,
    at,
    reason: `test message for channel "${channel}" from upkeep notify test`,
    summary: 'If you can read this, the channel works.',
    target: channel,
    url: baseUrl.replace(/\/+$/, ''),
    dedupKey: `upkeep:notify-test:${channel}:${at}`,
  };
}
