/** One unit: state, actions, response-time chart, uptime, runs and transitions; heartbeat and database extras. */
import { useState } from 'preact/hooks';
import { ActionButton, ActionForm } from '../components/actions';
import { ResponseChart } from '../components/chart';
import { ErrorNote, Loading, Section } from '../components/common';
import { StateBadge } from '../components/state';
import { Time } from '../components/time';
import { UptimeBars } from '../components/uptime';
import { unitPath } from '../lib/api';
import { useLive } from '../lib/live';
import { href } from '../lib/router';
import type { Rollup, UnitDetail, Uptime } from '../lib/types';
import { useApi } from '../lib/use-api';
import { LiveNote } from './live-note';
import { DatabasePanel } from './unit-database';
import { HeartbeatPanel } from './unit-heartbeat';
import { OverridesPanel, RunsPanel, TransitionsPanel, useOverrides } from './unit-history';

const SPANS = [
  { key: '24h', label: '24 h', grain: 'minute', ms: 86_400_000 },
  { key: '7d', label: '7 d', grain: 'hour', ms: 7 * 86_400_000 },
  { key: '30d', label: '30 d', grain: 'hour', ms: 30 * 86_400_000 },
  { key: '1y', label: '1 y', grain: 'day', ms: 365 * 86_400_000 },
] as const;

/** The unit page for `app/name`. */
export function UnitPage({ id }: { id: string }) {
  const path = `/api/units/${unitPath(id)}`;
  const unit = useApi<UnitDetail>(path);
  const [span, setSpan] = useState<(typeof SPANS)[number]>(SPANS[0]);
  // Rounded up to the minute: a burst of runs refetches the chart at most once a minute, not on every run.
  const minute = () => Math.ceil(Date.now() / 60_000) * 60_000;
  const [now, setNow] = useState(minute);
  const history = useApi<Rollup[]>(`${path}/history?grain=${span.grain}&from=${now - span.ms}&to=${now}`);
  const uptime = useApi<Uptime>(`${path}/uptime`);
  const [runsTick, setRunsTick] = useState(0);
  const live = useLive([`unit:${id}`], () => {
    unit.reload();
    setRunsTick((t) => t + 1);
    setNow(minute());
    uptime.reload();
  });
  const overrides = useOverrides(id, runsTick);
  const paused = overrides.list?.some((o) => o.kind === 'pause');
  const changed = () => {
    unit.reload();
    void overrides.reload();
  };
  const u = unit.data;
  const actions = (
    <div class="actions">
      <ActionButton label="Run now" path={`${path}/run`} done="Queued: it runs within seconds." onDone={unit.reload} />
      <ActionForm
        label="Pause"
        path={`${path}/pause`}
        fields={[
          { name: 'reason', label: 'Reason', required: true },
          { name: 'duration', label: 'For (empty: until resumed)', placeholder: '2h' },
        ]}
        body={(v) => ({ reason: v.reason, ...(v.duration ? { duration: v.duration } : {}) })}
        done="Paused."
        onDone={changed}
      />
      <ActionButton
        label="Resume"
        path={`${path}/resume`}
        done="Resumed."
        onDone={changed}
        unavailable={paused === false ? 'not paused' : undefined}
      />
      <ActionForm
        label="Silence"
        path={`${path}/silence`}
        fields={[
          { name: 'duration', label: 'For', placeholder: '1h', required: true, initial: '1h' },
          { name: 'note', label: 'Note', required: true },
        ]}
        body={(v) => ({ duration: v.duration, note: v.note })}
        done="Silenced: the alert still shows, nobody is notified until it ends."
        onDone={changed}
      />
      <ActionForm
        label="Acknowledge"
        path={`${path}/ack`}
        fields={[{ name: 'note', label: 'Note' }]}
        body={(v) => (v.note ? { note: v.note } : {})}
        done="Acknowledged."
        onDone={changed}
      />
    </div>
  );
  return (
    <>
      <nav class="crumbs" aria-label="breadcrumb">
        <a href={href('/')}>Overview</a> /{' '}
        <a href={href(`/apps/${encodeURIComponent(id.split('/')[0] ?? '')}`)}>{id.split('/')[0]}</a> /{' '}
        <span>{id.slice(id.indexOf('/') + 1)}</span>
      </nav>
      <header class="page-head">
        <h1>{id}</h1>
        <LiveNote mode={live} />
      </header>
      <ErrorNote error={unit.error} what={`unit "${id}"`} />
      {!u && !unit.error && <Loading what={id} />}
      {u && (
        <>
          <dl class="facts" data-testid="unit-state">
            <dt>State</dt>
            <dd>
              <StateBadge state={u.state} severity={u.severity} /> since <Time at={u.since} />
              {u.running && <span class="muted"> · running now</span>}
            </dd>
            <dt>Last result</dt>
            <dd class="reason">{u.summary ?? 'not run yet'}</dd>
            <dt>Kind</dt>
            <dd>{u.kind}</dd>
            <dt>Target</dt>
            <dd>
              <code>{u.target}</code>
            </dd>
            <dt>Schedule</dt>
            <dd>
              {u.schedule} · last <Time at={u.lastRunAt} relative /> · next <Time at={u.nextRunAt} relative />
            </dd>
          </dl>
          {actions}
          <OverridesPanel overrides={overrides} />
          <Section title="Response time" id="chart">
            <fieldset class="tabs">
              <legend class="visually-hidden">Span of the chart</legend>
              {SPANS.map((s) => (
                <button type="button" key={s.key} class="small" aria-pressed={s === span} onClick={() => setSpan(s)}>
                  {s.label}
                </button>
              ))}
            </fieldset>
            <ErrorNote error={history.error} what="the history" />
            {history.data && (
              <ResponseChart
                rollups={history.data}
                from={now - span.ms}
                to={now}
                label={`response time of ${id} over ${span.label}`}
              />
            )}
          </Section>
          <Section title="Uptime" id="uptime">
            <ErrorNote error={uptime.error} what="uptime" />
            {uptime.data && <UptimeBars uptime={uptime.data} />}
          </Section>
          {u.kind === 'heartbeat' && <HeartbeatPanel unit={u} tick={runsTick} />}
          {['backup', 'drill', 'backup-freshness'].includes(u.kind) && <DatabasePanel unit={u} tick={runsTick} />}
          <RunsPanel path={path} tick={runsTick} />
          <TransitionsPanel transitions={u.transitions ?? []} />
        </>
      )}
    </>
  );
}
