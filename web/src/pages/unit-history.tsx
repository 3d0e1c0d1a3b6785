/** A unit's recent runs (with their facts), its transitions (with reasons) and its active overrides. */
import { useEffect, useState } from 'preact/hooks';
import { ActionButton } from '../components/actions';
import { Empty, ErrorNote, Section } from '../components/common';
import { StateBadge } from '../components/state';
import { Time } from '../components/time';
import { ApiError, api } from '../lib/api';
import { duration } from '../lib/format';
import type { Override, Run, Transition } from '../lib/types';
import { useApi } from '../lib/use-api';

const PAGE = 25;

/** Recent runs, newest first, a page at a time (`before` the oldest shown); a live change reloads the first page. */
export function RunsPanel({ path, tick }: { path: string; tick: number }) {
  const [before, setBefore] = useState<number[]>([]);
  const cursor = before[before.length - 1];
  const runs = useApi<Run[]>(`${path}/runs?limit=${PAGE}${cursor ? `&before=${cursor}` : ''}`);
  useEffect(() => {
    if (before.length === 0) runs.reload();
  }, [tick]);
  const rows = runs.data ?? [];
  return (
    <Section title="Recent runs" id="runs">
      <ErrorNote error={runs.error} what="the runs" />
      {rows.length === 0 && runs.data && <Empty>No runs yet: the unit runs on its schedule, or press Run now.</Empty>}
      {rows.length > 0 && (
        <table class="runs">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Outcome</th>
              <th scope="col">Took</th>
              <th scope="col">Summary and facts</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id ?? r.startedAt}>
                <td>
                  <Time at={r.startedAt} />
                </td>
                <td>
                  <StateBadge state={r.outcome} />
                </td>
                <td>{duration(r.durationMs)}</td>
                <td>
                  <span class="reason">{r.summary}</span>
                  <Facts run={r} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="runs pages">
        <button
          type="button"
          class="small"
          disabled={before.length === 0}
          onClick={() => setBefore(before.slice(0, -1))}
        >
          ← Newer
        </button>
        <button
          type="button"
          class="small"
          disabled={rows.length < PAGE}
          onClick={() => setBefore([...before, rows[rows.length - 1]?.startedAt ?? 0])}
        >
          Older →
        </button>
      </nav>
    </Section>
  );
}

/** A run's facts and values, folded: text only, never markup. */
function Facts({ run }: { run: Run }) {
  const hasDetails = run.details && typeof run.details === 'object' && Object.keys(run.details).length > 0;
  const hasValues = Object.keys(run.values ?? {}).length > 0;
  if (!hasDetails && !hasValues) return null;
  return (
    <details class="facts-json">
      <summary>facts</summary>
      <pre>{JSON.stringify({ values: run.values, details: run.details }, null, 2)}</pre>
    </details>
  );
}

/** State changes with their reasons, newest first. */
export function TransitionsPanel({ transitions }: { transitions: Transition[] }) {
  return (
    <Section title="Transitions" id="transitions">
      {transitions.length === 0 ? (
        <Empty>No state change yet.</Empty>
      ) : (
        <ol class="transitions">
          {transitions.map((t) => (
            <li key={`${t.at}-${t.to}`}>
              <Time at={t.at} /> <StateBadge state={t.from} /> → <StateBadge state={t.to} severity={t.severity} />{' '}
              <span class="reason">{t.reason}</span>
              {t.inMaintenance && <span class="muted"> (in maintenance: not sent)</span>}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}

/** The overrides in force on a unit (its own and its app's), reloaded on each live change. */
export function useOverrides(unitId: string, tick: number) {
  const [list, setList] = useState<Override[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const app = unitId.slice(0, unitId.indexOf('/'));
  const reload = () =>
    api<Override[]>('/api/overrides').then(
      (all) => {
        setError(undefined);
        setList(all.filter((o) => o.unitId === unitId || (o.unitId === null && (o.app === app || o.app === null))));
      },
      (err: unknown) => setError(err instanceof ApiError ? err : new ApiError(String(err), 0)),
    );
  useEffect(() => {
    void reload();
  }, [unitId, tick]);
  return { list, error, reload };
}

/** The overrides (pause, silence, maintenance, ack) in force on this unit, each clearable by an operator. */
export function OverridesPanel({ overrides }: { overrides: ReturnType<typeof useOverrides> }) {
  const { list, error, reload: load } = overrides;
  if (error) return <ErrorNote error={error} what="the overrides" />;
  if (!list || list.length === 0) return null;
  return (
    <Section title="Overrides in force" id="overrides">
      <ul class="overrides">
        {list.map((o) => (
          <li key={o.id}>
            <StateBadge state={o.kind === 'pause' ? 'paused' : o.kind === 'silence' ? 'silenced' : o.kind} />{' '}
            <span class="reason">{o.reason}</span> <span class="muted">by {o.author}</span>,{' '}
            <Time at={o.createdAt} relative />
            {o.expiresAt ? (
              <>
                {' '}
                until <Time at={o.expiresAt} />
              </>
            ) : (
              ' until cleared'
            )}{' '}
            <ActionButton
              label="Clear"
              method="DELETE"
              path={`/api/overrides/${encodeURIComponent(String(o.id))}`}
              done="Cleared."
              onDone={load}
            />
          </li>
        ))}
      </ul>
    </Section>
  );
}
