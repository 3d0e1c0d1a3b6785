/** The audit log: who did what, when and from where, newest first, a page at a time. */
import { useState } from 'preact/hooks';
import { Empty, ErrorNote, Loading, Section } from '../components/common';
import { Time } from '../components/time';
import type { AuditEntry } from '../lib/types';
import { useApi } from '../lib/use-api';

const PAGE = 50;

/** The audit page. */
export function AuditPage() {
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors[cursors.length - 1];
  const audit = useApi<AuditEntry[]>(`/api/audit?limit=${PAGE}${before ? `&before=${before}` : ''}`);
  const rows = audit.data ?? [];
  return (
    <>
      <header class="page-head">
        <h1>Audit log</h1>
      </header>
      <Section title="Actions" id="audit">
        <ErrorNote error={audit.error} what="the audit log" />
        {!audit.data && !audit.error && <Loading what="the audit log" />}
        {audit.data && rows.length === 0 && (
          <Empty>No action recorded yet: runs, pauses, silences and sign-ins appear here.</Empty>
        )}
        {rows.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">On</th>
                <th scope="col">From</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Time at={e.at} />
                  </td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target}</td>
                  <td class="muted">{e.ip ?? '–'}</td>
                  <td class="reason">
                    {e.detail === null || e.detail === undefined
                      ? ''
                      : typeof e.detail === 'string'
                        ? e.detail
                        : JSON.stringify(e.detail)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav class="pager" aria-label="audit pages">
          <button
            type="button"
            class="small"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            ← Newer
          </button>
          <button
            type="button"
            class="small"
            disabled={rows.length < PAGE}
            onClick={() => setCursors([...cursors, Number(rows[rows.length - 1]?.id ?? 0)])}
          >
            Older →
          </button>
        </nav>
      </Section>
    </>
  );
}
