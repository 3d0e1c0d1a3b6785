/**
 * The app page's "Status page" panel: whether the app has a public status page (a link to it), its announcements,
 * a form for operators to post one and a delete button per announcement. Titles and bodies are rendered as text.
 */
import { useEffect, useState } from 'preact/hooks';
import { ActionButton, useAction } from '../components/actions';
import { Empty, ErrorNote, Section } from '../components/common';
import { StateBadge } from '../components/state';
import { Time } from '../components/time';
import { url } from '../lib/api';
import { href } from '../lib/router';
import { useCan } from '../lib/session';
import type { Announcement } from '../lib/types';
import { useApi } from '../lib/use-api';

/** The panel for app `name`. */
export function StatusPanel({ name }: { name: string }) {
  const list = useApi<Announcement[]>(`/api/announcements?app=${encodeURIComponent(name)}`);
  const page = usePublicPage(name);
  const items = list.data ?? [];
  return (
    <Section title="Status page" id="app-status-page">
      <p data-testid="status-page-state">
        {page === 'yes' && (
          <>
            This app has a public status page:{' '}
            <a href={href(`/status/${encodeURIComponent(name)}`)} data-external>
              /status/{name}
            </a>
            . Announcements show there while they are current.
          </>
        )}
        {page === 'no' &&
          'This app has no public status page: add `status: { title, show }` under it in upkeep.yml. Announcements are kept and still appear in the feed once it has one.'}
        {page === 'unknown' && <span class="muted">Checking for a public status page…</span>}
      </p>
      <ErrorNote error={list.error} what="announcements" />
      {list.data && items.length === 0 && (
        <Empty>No announcements. Operators can post one below to tell visitors about planned work or an outage.</Empty>
      )}
      {items.length > 0 && (
        <ul class="announcements" aria-label="announcements">
          {items.map((a) => (
            <AnnouncementItem key={a.id} a={a} onDone={list.reload} />
          ))}
        </ul>
      )}
      <PostForm app={name} onDone={list.reload} />
    </Section>
  );
}

/** Whether `/status/<app>` answers (it is public: a 404 means the app has no status page). */
function usePublicPage(name: string): 'yes' | 'no' | 'unknown' {
  const [state, setState] = useState<'yes' | 'no' | 'unknown'>('unknown');
  useEffect(() => {
    let live = true;
    setState('unknown');
    fetch(url(`/status/${encodeURIComponent(name)}`), { method: 'HEAD', credentials: 'omit' }).then(
      (res) => live && setState(res.ok ? 'yes' : 'no'),
      () => live && setState('unknown'),
    );
    return () => {
      live = false;
    };
  }, [name]);
  return state;
}

function AnnouncementItem({ a, onDone }: { a: Announcement; onDone: () => void }) {
  const now = Date.now();
  const when = a.startsAt > now ? 'scheduled' : a.endsAt !== null && a.endsAt <= now ? 'ended' : 'showing';
  return (
    <li class="announcement" data-testid="announcement">
      <div>
        <StateBadge state={a.severity} /> <strong class="announcement-title">{a.title}</strong>{' '}
        <span class="muted">({when})</span>
      </div>
      {a.body !== '' && <p class="announcement-body">{a.body}</p>}
      <p class="muted">
        from <Time at={a.startsAt} />{' '}
        {a.endsAt === null ? (
          'until deleted'
        ) : (
          <>
            to <Time at={a.endsAt} />
          </>
        )}
        {a.author ? ` · posted by ${a.author}` : ''}
      </p>
      <ActionButton
        label="Delete"
        method="DELETE"
        path={`/api/announcements/${a.id}`}
        done="Announcement deleted."
        onDone={onDone}
      />
    </li>
  );
}

const SEVERITIES = ['info', 'warning', 'critical'] as const;

/** A `datetime-local` value (the viewer's zone) as ms since epoch; undefined when empty or not a time. */
function localMs(value: string): number | undefined {
  if (value === '') return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

function PostForm({ app, onDone }: { app: string; onDone: () => void }) {
  const can = useCan('operator');
  const empty = { title: '', body: '', severity: 'info', startsAt: '', endsAt: '' };
  const [v, setV] = useState(empty);
  const { busy, run, note } = useAction(onDone);
  if (!can) return null;
  const set = (k: keyof typeof empty) => (e: Event) =>
    setV({ ...v, [k]: (e.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = {
      app,
      title: v.title,
      body: v.body,
      severity: v.severity,
      ...(localMs(v.startsAt) !== undefined && { startsAt: localMs(v.startsAt) }),
      ...(localMs(v.endsAt) !== undefined && { endsAt: localMs(v.endsAt) }),
    };
    const created = await run('POST', '/api/announcements', body, 'Announcement posted.');
    if (created) setV(empty);
  };
  return (
    <details class="action-form">
      <summary>Post an announcement…</summary>
      <form onSubmit={submit}>
        <span class="field">
          <label for="ann-title">Title</label>
          <input id="ann-title" value={v.title} required maxLength={200} onInput={set('title')} />
        </span>
        <span class="field">
          <label for="ann-severity">Severity</label>
          <select id="ann-severity" value={v.severity} onChange={set('severity')}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </span>
        <span class="field">
          <label for="ann-body">Message</label>
          <textarea id="ann-body" value={v.body} maxLength={5000} rows={3} onInput={set('body')} />
        </span>
        <span class="field">
          <label for="ann-starts">Starts (optional, your time zone; default now)</label>
          <input id="ann-starts" type="datetime-local" value={v.startsAt} onInput={set('startsAt')} />
        </span>
        <span class="field">
          <label for="ann-ends">Ends (optional; default until deleted)</label>
          <input id="ann-ends" type="datetime-local" value={v.endsAt} onInput={set('endsAt')} />
        </span>
        <button type="submit" disabled={busy}>
          Post the announcement
        </button>
      </form>
      {note}
    </details>
  );
}
