/** A database's extras on its backup/drill units: its backups (state, size, checksum, drill, counts) and restore. */
import { useEffect } from 'preact/hooks';
import { ActionButton } from '../components/actions';
import { CopyLine, Empty, ErrorNote, Section } from '../components/common';
import { StateBadge } from '../components/state';
import { Time } from '../components/time';
import { bytes } from '../lib/format';
import type { Backup, UnitView } from '../lib/types';
import { useApi } from '../lib/use-api';

/** The database a unit belongs to: `main.backup` → `main`. */
export function databaseOf(unit: UnitView): string {
  return unit.name.replace(/\.(backup|drill|freshness)$/, '');
}

/** The database panel of a unit page. */
export function DatabasePanel({ unit, tick }: { unit: UnitView; tick: number }) {
  const db = databaseOf(unit);
  const base = `/api/databases/${encodeURIComponent(unit.app)}/${encodeURIComponent(db)}`;
  const backups = useApi<Backup[]>(`${base}/backups?limit=20`);
  useEffect(() => backups.reload(), [tick]);
  const list = backups.data ?? [];
  const latest = list.find((b) => b.state !== 'failed' && b.state !== 'running');
  const scheme = latest?.engine === 'mongodb' ? 'mongodb://...' : 'postgres://...';
  return (
    <Section title={`Backups of ${unit.app}/${db}`} id="backups">
      <div class="actions">
        <ActionButton label="Back up now" path={`${base}/backup`} done="Backup queued." onDone={backups.reload} />
        <ActionButton label="Drill now" path={`${base}/drill`} done="Restore drill queued." onDone={backups.reload} />
      </div>
      <ErrorNote error={backups.error} what="the backups" />
      {backups.data && list.length === 0 && (
        <Empty>
          No backup yet: the first runs on its schedule, or press Back up now (or run{' '}
          <code>
            upkeep backup {unit.app}/{db}
          </code>
          ).
        </Empty>
      )}
      {latest && (
        <>
          <CopyLine label="Restore (dry run first)" text={`upkeep restore ${latest.id} --to "${scheme}" --dry-run`} />
          <CopyLine label="Restore" text={`upkeep restore ${latest.id} --to "${scheme}"`} />
          <p class="muted">
            Replace the URL with the database to restore into; a non-empty target is refused unless --force.
          </p>
        </>
      )}
      {list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">State</th>
              <th scope="col">Size</th>
              <th scope="col">Checksum (SHA-256)</th>
              <th scope="col">Drill</th>
              <th scope="col">Counts</th>
            </tr>
          </thead>
          <tbody>
            {list.map((b) => (
              <tr key={b.id}>
                <td>
                  <Time at={b.takenAt ?? b.startedAt} /> <code class="muted">{b.id.slice(0, 8)}</code>
                </td>
                <td>
                  <StateBadge state={b.state} />
                  {b.reason && <div class="reason">{b.reason}</div>}
                </td>
                <td>{bytes(b.sizeBytes)}</td>
                <td>
                  <code title={b.ciphertextSha256 ?? ''}>{b.ciphertextSha256?.slice(0, 16) ?? '–'}</code>
                </td>
                <td>
                  {b.drilledAt ? (
                    <>
                      <StateBadge state="drilled" /> <Time at={b.drilledAt} />
                    </>
                  ) : b.failedIn === 'drill' ? (
                    <StateBadge state="failed" />
                  ) : (
                    <span class="muted">not drilled</span>
                  )}
                </td>
                <td>
                  {b.counts ? (
                    <details>
                      <summary>{Object.keys(b.counts).length} collections/tables</summary>
                      <ul class="counts-list">
                        {Object.entries(b.counts).map(([k, v]) => (
                          <li key={k}>
                            <code>{k}</code>: {v}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
