/** The overview's one search box: `app:shop state:firing kind:http` words plus free text, all of which must match. */

/** A parsed query. Empty fields match everything. */
export interface Query {
  app?: string;
  state?: string;
  kind?: string;
  text: string[];
}

/** Parses the box's text; unknown `x:y` words are free text. */
export function parseQuery(input: string): Query {
  const q: Query = { text: [] };
  for (const word of input.toLowerCase().split(/\s+/).filter(Boolean)) {
    const m = /^(app|state|kind):(.+)$/.exec(word);
    if (m) q[m[1] as 'app' | 'state' | 'kind'] = m[2];
    else q.text.push(word);
  }
  return q;
}

/** True when nothing is asked. */
export function isEmpty(q: Query): boolean {
  return !q.app && !q.state && !q.kind && q.text.length === 0;
}

/** Whether a thing with these fields matches: each field by prefix, free text anywhere in `haystack`. */
export function matches(
  q: Query,
  item: { app?: string; state?: string | string[]; kind?: string; haystack: string },
): boolean {
  if (q.app && !(item.app ?? '').toLowerCase().includes(q.app)) return false;
  if (q.state) {
    const states = Array.isArray(item.state) ? item.state : [item.state ?? ''];
    if (!states.some((s) => s.toLowerCase().startsWith(q.state as string))) return false;
  }
  if (q.kind && !(item.kind ?? '').toLowerCase().startsWith(q.kind)) return false;
  const hay = item.haystack.toLowerCase();
  return q.text.every((t) => hay.includes(t));
}
