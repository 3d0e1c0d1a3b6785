/** Notifications: each channel's state (a disabled one says why and how to fix it), a test send, recent deliveries. */
import { ActionButton } from '../components/actions';
import { Empty, ErrorNote, Loading, Section, usePage } from '../components/common';
import { StateBadge } from '../components/state';
import { Time } from '../components/time';
import { useLive } from '../lib/live';
import type { ChannelState, Delivery, OutboxRow } from '../lib/types';
import { useApi } from '../lib/use-api';
import { LiveNote } from './live-note';

/** The notifications page. */
export function NotificationsPage() {
  const channels = useApi<ChannelState[]>('/api/channels');
  const deliveries = useApi<Delivery[]>('/api/deliveries?limit=200');
  const outbox = useApi<OutboxRow[]>('/api/notifications?limit=200');
  const live = useLive(['notify'], () => {
    channels.reload();
    deliveries.reload();
    outbox.reload();
  });
  return (
    <>
      <header class="page-head">
        <h1>Notifications</h1>
        <LiveNote mode={live} />
      </header>
      <Section title="Channels" id="channels">
        <ErrorNote error={channels.error} what="the channels" />
        {!channels.data && !channels.error && <Loading what="channels" />}
        {channels.data?.length === 0 && (
          <Empty>
            No channel has sent anything yet. A channel shows here after its first send (send a test from the CLI:{' '}
            <code>upkeep notify test &lt;channel&gt;</code>); to add one, write it under <code>notify:</code> in
            upkeep.yml with <code>routes:</code> for its severities, then reload the plan.
          </Empty>
        )}
        {channels.data && channels.data.length > 0 && (
          <ul class="channels">
            {channels.data.map((c) => (
              <li key={c.channel} class="channel">
                <strong>{c.channel}</strong>{' '}
                <StateBadge
                  state={
                    c.disabledAt
                      ? 'disabled'
                      : c.lastError && (c.lastErrorAt ?? 0) > (c.lastSuccessAt ?? 0)
                        ? 'failed'
                        : 'ok'
                  }
                />
                {c.disabledAt ? (
                  <div class="error">
                    Disabled <Time at={c.disabledAt} relative />: {c.disabledReason ?? c.lastError}. To fix: correct the
                    channel's entry (or the secret it reads) in upkeep.yml and reload the plan; a changed entry is
                    re-enabled, then send a test.
                  </div>
                ) : (
                  <div class="muted">
                    last success <Time at={c.lastSuccessAt} relative />
                    {c.lastError && (
                      <>
                        {' '}
                        · last error <Time at={c.lastErrorAt} relative />: <span class="reason">{c.lastError}</span>
                      </>
                    )}
                  </div>
                )}
                <ActionButton
                  label={`Send a test to ${c.channel}`}
                  path={`/api/channels/${encodeURIComponent(c.channel)}/test`}
                  done="Test sent: see the deliveries below."
                  onDone={deliveries.reload}
                />
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Deliveries deliveries={deliveries} outbox={outbox.data} />
    </>
  );
}

function Deliveries({
  deliveries,
  outbox,
}: {
  deliveries: ReturnType<typeof useApi<Delivery[]>>;
  outbox: OutboxRow[] | undefined;
}) {
  const rows = deliveries.data ?? [];
  const { page, pager } = usePage(rows, 25);
  const byId = new Map((outbox ?? []).map((o) => [o.id, o]));
  return (
    <Section title="Recent deliveries" id="deliveries">
      <ErrorNote error={deliveries.error} what="the deliveries" />
      {deliveries.data && rows.length === 0 && (
        <Empty>Nothing sent yet: alerts are delivered when a unit fires or resolves.</Empty>
      )}
      {rows.length > 0 && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Channel</th>
                <th scope="col">About</th>
                <th scope="col">Attempt</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {page.map((d) => {
                const o = byId.get(d.outboxId);
                return (
                  <tr key={d.id}>
                    <td>
                      <Time at={d.startedAt} />
                    </td>
                    <td>{d.channel}</td>
                    <td>{o ? `${o.unitId} (${o.event})` : `notification ${d.outboxId}`}</td>
                    <td>{d.attempt}</td>
                    <td>
                      <StateBadge state={d.ok === null ? 'abandoned' : d.ok ? 'sent' : 'failed'} />
                      {d.statusCode !== null && <span class="muted"> HTTP {d.statusCode}</span>}
                      {d.error && (
                        <div class="reason">
                          {d.error}
                          {d.permanent ? ' (permanent: channel disabled)' : ' (retried)'}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {pager}
        </>
      )}
    </Section>
  );
}
