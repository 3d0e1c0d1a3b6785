/** The overview: is everything fine, and if not, what is firing and what to do. Apps worst first. */
import { useState } from 'preact/hooks';
import { ActionForm } from '../components/actions';
import { Empty, ErrorNote, Loading, Section, usePage } from '../components/common';
import { STATE_ORDER, StateBadge } from '../components/state';
import { Time } from '../components/time';
import { unitPath } from '../lib/api';
import { isEmpty, matches, parseQuery, type Query } from '../lib/filter';
import { useLive } from '../lib/live';
import { href } from '../lib/router';
import type { MaintenanceWindow, Overview, UnitView } from '../lib/types';
import { useApi } from '../lib/use-api';
import { LiveNote } from './live-note';

/** The overview page. */
export function OverviewPage() {
  const overview = useApi<Overview>('/api/overview');
  const live = useLive(['overview'], () => overview.reload());
  const [text, setText] = useState('');
  const q = parseQuery(text);
  const o = overview.data;
  return (
    <>
      <header class="page-head">
        <h1>Overview</h1>
        <LiveNote mode={live} />
      </header>
      <ErrorNote error={overview.error} what="the overview" />
      {!o && !overview.error && <Loading what="the overview" />}
      {o && (
        <>
          <Counts counts={o.counts} overrides={o.overrides} />
          <div class="search">
            <label for="overview-search">Search and filter</label>
            <input
              id="overview-search"
              type="search"
              value={text}
              placeholder="app:shop state:firing kind:http text…"
              onInput={(e) => setText((e.target as HTMLInputElement).value)}
              aria-describedby="overview-search-help"
            />
            <small id="overview-search-help" class="muted">
              Words must all match; <code>app:</code>, <code>state:</code> and <code>kind:</code> narrow by field.
            </small>
          </div>
          <Firing overview={o} q={q} />
          {(q.kind || q.state || q.text.length > 0) && <MatchingUnits q={q} />}
          <Maintenance windows={o.maintenance} />
          <Apps overview={o} q={q} />
        </>
      )}
    </>
  );
}

function Counts({ counts, overrides }: { counts: Record<string, number>; overrides: number }) {
  const states = Object.keys(counts).sort((a, b) => rank(a) - rank(b));
  return (
    <ul class="counts" aria-label="units by state">
      {states.map((s) => (
        <li key={s}>
          <StateBadge state={s} /> <strong>{counts[s]}</strong>
        </li>
      ))}
      <li>
        <span class="muted">active overrides</span> <strong>{overrides}</strong>
      </li>
    </ul>
  );
}

function rank(state: string): number {
  const i = STATE_ORDER.indexOf(state);
  return i === -1 ? STATE_ORDER.length : i;
}

function Firing({ overview, q }: { overview: Overview; q: Query }) {
  const rows = overview.firing.filter((f) =>
    matches(q, { app: f.app, state: 'firing', kind: f.kind, haystack: `${f.unitId} ${f.reason}` }),
  );
  return (
    <Section title={`Alerts firing now (${rows.length})`} id="firing">
      {rows.length === 0 ? (
        <Empty>{overview.firing.length === 0 ? 'Nothing is firing. ✓' : 'No firing alert matches the search.'}</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col">Severity</th>
              <th scope="col">Since</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.unitId}>
                <td>
                  <a href={href(`/units/${unitPath(f.unitId)}`)}>{f.unitId}</a> <span class="muted">{f.kind}</span>
                </td>
                <td>
                  <StateBadge state="firing" severity={f.severity} />
                </td>
                <td>
                  <Time at={f.since} relative />
                </td>
                <td class="reason">{f.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function windowText(w: MaintenanceWindow): { apps: string; start?: number; end?: number | null } {
  const apps = w.apps?.join(', ') ?? w.app ?? 'all apps';
  return { apps, start: w.startsAt ?? w.from ?? w.createdAt, end: w.endsAt ?? w.to ?? w.until ?? w.expiresAt };
}

function Maintenance({ windows }: { windows: Overview['maintenance'] }) {
  const list = (items: MaintenanceWindow[], none: string) =>
    items.length === 0 ? (
      <Empty>{none}</Empty>
    ) : (
      <ul class="windows">
        {items.map((w, i) => {
          const t = windowText(w);
          return (
            <li key={w.id ?? i}>
              <span class="shape" aria-hidden="true">
                ⏸
              </span>
              <strong>{t.apps}</strong> from <Time at={t.start} /> until{' '}
              {t.end ? <Time at={t.end} /> : <span>cleared</span>}
              {w.reason ? <span class="reason"> — {w.reason}</span> : null}
            </li>
          );
        })}
      </ul>
    );
  return (
    <Section title="Maintenance windows" id="maintenance">
      <h3>Now</h3>
      {list(windows.active, 'No maintenance window is open.')}
      <h3>Next</h3>
      {list(windows.next, 'None planned: add `maintenance:` to upkeep.yml, or open one from an app page.')}
    </Section>
  );
}

function Apps({ overview, q }: { overview: Overview; q: Query }) {
  // Apps by name and state; kind and text find units, listed under "Matching units".
  const apps = overview.apps.filter((a) =>
    matches(
      { ...q, kind: undefined, text: [] },
      { app: a.name, state: [a.worst, ...Object.keys(a.counts)], haystack: a.name },
    ),
  );
  const { page, pager } = usePage(apps, 50);
  return (
    <Section title={`Apps (${apps.length}${isEmpty(q) ? '' : ` of ${overview.apps.length}`})`} id="apps">
      {overview.apps.length === 0 ? (
        <Empty>
          No plan yet: run <code>upkeep init</code> to write an <code>upkeep.yml</code>, then <code>upkeep start</code>.
        </Empty>
      ) : apps.length === 0 ? (
        <Empty>No app matches the search.</Empty>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Worst state</th>
                <th scope="col">Units by state</th>
              </tr>
            </thead>
            <tbody>
              {page.map((a) => (
                <tr key={a.name}>
                  <td>
                    <a href={href(`/apps/${encodeURIComponent(a.name)}`)}>{a.name}</a>
                  </td>
                  <td>
                    <StateBadge state={a.worst} />
                  </td>
                  <td>
                    {Object.entries(a.counts)
                      .sort(([x], [y]) => rank(x) - rank(y))
                      .map(([s, n]) => `${n} ${s}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pager}
        </>
      )}
      <ActionForm
        label="Open a maintenance window"
        path="/api/maintenance"
        fields={[
          {
            name: 'apps',
            label: 'Apps (comma separated)',
            required: true,
            initial: overview.apps
              .map((a) => a.name)
              .slice(0, 1)
              .join(','),
          },
          { name: 'duration', label: 'Duration', placeholder: '1h', required: true, initial: '1h' },
          { name: 'reason', label: 'Reason', required: true },
        ]}
        body={(v) => ({
          apps: v.apps
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          duration: v.duration,
          reason: v.reason,
        })}
        done="Maintenance window opened."
      />
    </Section>
  );
}

/** Units matching the box, fetched only while a unit-level query (kind, state, text) is typed. */
function MatchingUnits({ q }: { q: Query }) {
  const units = useApi<UnitView[]>('/api/units');
  const rows = (units.data ?? []).filter((u) =>
    matches(q, { app: u.app, state: u.state, kind: u.kind, haystack: `${u.id} ${u.summary ?? ''} ${u.target}` }),
  );
  const { page, pager } = usePage(rows, 25);
  return (
    <Section title={`Matching units (${rows.length})`} id="matching">
      <ErrorNote error={units.error} what="the units" />
      {!units.data && !units.error && <Loading what="units" />}
      {units.data && rows.length === 0 && <Empty>No unit matches the search.</Empty>}
      {rows.length > 0 && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Unit</th>
                <th scope="col">State</th>
                <th scope="col">Last result</th>
              </tr>
            </thead>
            <tbody>
              {page.map((u) => (
                <tr key={u.id}>
                  <td>
                    <a href={href(`/units/${unitPath(u.id)}`)}>{u.id}</a> <span class="muted">{u.kind}</span>
                  </td>
                  <td>
                    <StateBadge state={u.state} severity={u.severity} />
                  </td>
                  <td class="reason">{u.summary ?? 'not run yet'}</td>
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
