/** A heartbeat's extras: its ping URL (operators only), the lines to paste into a crontab, and the ping log. */
import { useEffect } from 'preact/hooks';
import { CopyLine, Empty, ErrorNote, Section } from '../components/common';
import { StateBadge } from '../components/state';
import { Time } from '../components/time';
import { unitPath } from '../lib/api';
import { bytes, duration } from '../lib/format';
import type { Ping, UnitView } from '../lib/types';
import { useApi } from '../lib/use-api';

/** The heartbeat panel of a unit page. */
export function HeartbeatPanel({ unit, tick }: { unit: UnitView; tick: number }) {
  const pings = useApi<Ping[]>(`/api/units/${unitPath(unit.id)}/pings?limit=50`);
  useEffect(() => pings.reload(), [tick]);
  const url = unit.heartbeat?.pingUrl;
  return (
    <>
      <Section title="Ping this heartbeat" id="ping">
        {url ? (
          <>
            <CopyLine label="Ping URL" text={url} />
            <CopyLine label="crontab line" text={`0 2 * * * /path/to/job.sh && curl -fsS -m 10 --retry 3 ${url}`} />
            <CopyLine label="with upkeep exec" text={`upkeep exec ${unit.id} -- /path/to/job.sh`} />
            <p class="muted">
              <code>upkeep exec</code> pings start, runs the job, then pings its exit status with the end of its output,
              so a failing job is told apart from a late one.
            </p>
          </>
        ) : (
          <Empty>The ping URL is shown to operators only (it lets anyone who has it send pings).</Empty>
        )}
      </Section>
      <Section title="Ping log" id="pings">
        <ErrorNote error={pings.error} what="the ping log" />
        {pings.data?.length === 0 && <Empty>No ping yet: the job has not called its URL.</Empty>}
        {pings.data && pings.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">Kind</th>
                <th scope="col">Exit</th>
                <th scope="col">From</th>
                <th scope="col">Body</th>
              </tr>
            </thead>
            <tbody>
              {pings.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Time at={p.at} />
                  </td>
                  <td>
                    <StateBadge state={p.kind === 'fail' ? 'failed' : p.kind === 'start' ? 'running' : 'ok'} /> {p.kind}
                    {p.durationMs !== null && <span class="muted"> took {duration(p.durationMs)}</span>}
                  </td>
                  <td>{p.exitStatus ?? '–'}</td>
                  <td class="muted">
                    {p.method} {p.remoteAddr ?? ''}
                  </td>
                  <td>
                    {p.body ? (
                      <details>
                        <summary>
                          {bytes(p.bodyBytes)}
                          {p.bodyTruncated ? ' (truncated)' : ''}
                        </summary>
                        <pre class="ping-body">{p.body}</pre>
                      </details>
                    ) : (
                      <span class="muted">empty</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
