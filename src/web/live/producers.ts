/** What producers publish to the live hub: the changes a recorded run makes, and a notifier delivery. Pure. */
import type { StateChange } from '../../alerts/transition.js';
import type { Change } from '../../core/change.js';
import type { RunRecord } from '../../core/run.js';
import type { DeliveryNote } from '../../notify/notifier.js';

/** Longest run summary carried in a change: the page shows a line, the full run is one fetch away. */
const SUMMARY_CHARS = 200;

/** The `run` change of a recorded run, and its `state` change when the alert state moved. */
export function recordedChanges(
  unit: { id: string; app: string; kind: string },
  run: RunRecord,
  change: StateChange | null,
): Change[] {
  const out: Change[] = [
    {
      kind: 'run',
      app: unit.app,
      unitId: unit.id,
      at: run.endedAt,
      data: { outcome: run.outcome, durationMs: run.durationMs, summary: run.summary.slice(0, SUMMARY_CHARS) },
    },
  ];
  if (change)
    out.push({
      kind: 'state',
      app: unit.app,
      unitId: unit.id,
      at: change.at,
      data: {
        from: change.from,
        to: change.to,
        severity: change.severity ?? null,
        reason: change.reason.slice(0, SUMMARY_CHARS),
        inMaintenance: change.inMaintenance,
        unitKind: unit.kind,
      },
    });
  return out;
}

/** The `delivery` change of one send attempt (no error text: it may quote a channel's answer). */
export function deliveryChange(note: DeliveryNote): Change {
  const app = note.unitId.includes('/') ? note.unitId.slice(0, note.unitId.indexOf('/')) : undefined;
  return {
    kind: 'delivery',
    ...(app !== undefined ? { app } : {}),
    unitId: note.unitId,
    at: note.at,
    data: { channel: note.channel, outboxId: note.outboxId, attempt: note.attempt, ok: note.ok },
  };
}
