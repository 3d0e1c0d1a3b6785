/**
 * Live updates: one EventSource per page on `/api/events?topics=...`, subscribed only to what the page shows. A
 * change is a hint to refetch what it names; bursts are coalesced. Where the stream cannot be opened, the page polls.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { url } from './api';

/** Change kinds the server sends as `event:` names (src/core/change.ts). */
const KINDS = ['run', 'state', 'override', 'plan', 'delivery', 'backup', 'announcement'];

/** One change as the server sends it. */
export interface Change {
  kind: string;
  app?: string;
  unitId?: string;
  at: number;
  data?: Record<string, unknown>;
}

/** How the page hears about changes: `live`, `polling` (no stream: refetching every POLL_MS), or `connecting`. */
export type LiveMode = 'connecting' | 'live' | 'polling';

const POLL_MS = 5_000;
const COALESCE_MS = 250;

/** Calls `onChange` for changes on `topics` (coalesced), or every few seconds when no stream can be opened. */
export function useLive(topics: string[], onChange: (changes: Change[]) => void): LiveMode {
  const [mode, setMode] = useState<LiveMode>('connecting');
  const handler = useRef(onChange);
  handler.current = onChange;
  const key = topics.join(',');
  useEffect(() => {
    if (key === '') return;
    let pending: Change[] = [];
    let timer: number | undefined;
    let poll: number | undefined;
    const flush = () => {
      timer = undefined;
      const batch = pending;
      pending = [];
      handler.current(batch);
    };
    const source = new EventSource(url(`/api/events?topics=${encodeURIComponent(key)}`), { withCredentials: true });
    const onEvent = (event: MessageEvent) => {
      try {
        pending.push(JSON.parse(event.data) as Change);
      } catch {
        return;
      }
      timer ??= window.setTimeout(flush, COALESCE_MS);
    };
    for (const kind of KINDS) source.addEventListener(kind, onEvent as EventListener);
    source.onmessage = onEvent;
    source.onopen = () => setMode('live');
    source.onerror = () => {
      // CLOSED: the server refused the stream (no such route, or not allowed); the browser will not retry.
      if (source.readyState === EventSource.CLOSED && poll === undefined) {
        setMode('polling');
        poll = window.setInterval(() => handler.current([]), POLL_MS);
      }
    };
    return () => {
      source.close();
      window.clearTimeout(timer);
      window.clearInterval(poll);
    };
  }, [key]);
  return mode;
}
