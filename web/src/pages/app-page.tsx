/** One app: its units grouped as checks, heartbeats and backups, each with state, last result and 24 h sparkline. */

import { useState } from 'preact/hooks';
import { ActionForm } from '../components/actions';
import { Empty, ErrorNote, Loading, Section, usePage } from '../components/common';
import { Sparkline } from '../components/spark';
import { StateBadge } from '../components/state';
import { Time } from '../components/time';
import { ApiError, api, unitPath } from '../lib/api';
import { useLive } from '../lib/live';
import { href } from '../lib/router';
import type { AppDetail, UnitView } from '../lib/types';
import { useApi } from '../lib/use-api';
import { LiveNote } from './live-note';
import { StatusPanel } from './status-panel';

/** The app page for `name`. */
export function AppPage({ name }: { name: string }) {
  const path = `/api/apps/${encodeURIComponent(name)}`;
  const app = useApi<AppDetail>(path);
  const [more, setMore] = useState<AppDetail[]>([]);
  const [moreError, setMoreError] = useState<ApiError | undefined>();
  // A live change refetches the first page; later pages are kept until the next "Load more".
  const live = useLive([`app:${name}`], () => app.reload());
  const pages = app.data ? [app.data, ...more] : [];
  const next = pages[pages.length - 1]?.next;
  const loadMore = () =>
    api<AppDetail>(`${path}?cursor=${encodeURIComponent(next ?? '')}`).then(
      (page) => setMore([...more, page]),
      (err: unknown) => setMoreError(err instanceof ApiError ? err : new ApiError(String(err), 0)),
    );
  const a = app.data && {
    ...app.data,
    checks: pages.flatMap((p) => p.checks),
    heartbeats: pages.flatMap((p) => p.heartbeats),
    backups: pages.flatMap((p) => p.backups),
  };
  return (
    <>
      <nav class="crumbs" aria-label="breadcrumb">
        <a href={href('/')}>Overview</a> / <span>{name}</span>
      </nav>
      <header class="page-head">
        <h1>{name}</h1>
        <LiveNote mode={live} />
        <a href={href(`/status/${encodeURIComponent(name)}`)} data-external>
          public status page
        </a>
      </header>
      <ErrorNote error={app.error} what={`app "${name}"`} />
      {!a && !app.error && <Loading what={name} />}
      {a && (
        <>
          <UnitGroup title="Checks" units={a.checks} none="No checks: add `checks:` under this app in upkeep.yml." />
          <UnitGroup
            title="Heartbeats"
            units={a.heartbeats}
            none="No heartbeats: add a `heartbeat:` check for each cron job, then ping its URL from the job."
          />
          <UnitGroup
            title="Backups"
            units={a.backups}
            none="No backups: add `databases:` with `backup:` under this app in upkeep.yml."
          />
          {next && (
            <p>
              <button type="button" onClick={loadMore}>
                Load more units
              </button>
            </p>
          )}
          <ErrorNote error={moreError} what="more units" />
          <Section title="Maintenance" id="app-maintenance">
            <ActionForm
              label="Open a maintenance window"
              path="/api/maintenance"
              fields={[
                { name: 'duration', label: 'Duration', placeholder: '1h', required: true, initial: '1h' },
                { name: 'reason', label: 'Reason', required: true },
              ]}
              body={(v) => ({ apps: [name], duration: v.duration, reason: v.reason })}
              done={`Maintenance window opened for ${name}.`}
              onDone={app.reload}
            />
          </Section>
          <StatusPanel name={name} />
        </>
      )}
    </>
  );
}

function UnitGroup({ title, units, none }: { title: string; units: UnitView[]; none: string }) {
  const { page, pager } = usePage(units, 50);
  return (
    <Section title={`${title} (${units.length})`} id={`group-${title.toLowerCase()}`}>
      {units.length === 0 ? (
        <Empty>{none}</Empty>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Unit</th>
                <th scope="col">State</th>
                <th scope="col">Last result</th>
                <th scope="col">Last 24 h</th>
              </tr>
            </thead>
            <tbody>
              {page.map((u) => (
                <tr key={u.id}>
                  <td>
                    <a href={href(`/units/${unitPath(u.id)}`)}>{u.name}</a> <span class="muted">{u.kind}</span>
                  </td>
                  <td>
                    <StateBadge state={u.state} severity={u.severity} />
                    {u.running && <span class="muted"> running…</span>}
                  </td>
                  <td>
                    <span class="reason">
                      {u.summary ?? (u.kind === 'heartbeat' ? 'waiting for the first ping' : 'not run yet')}
                    </span>{' '}
                    {u.lastRunAt !== null && <Time at={u.lastRunAt} relative />}
                  </td>
                  <td>
                    <Sparkline points={u.spark} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pager}
        </>
      )}
    </Section>
  );
}
