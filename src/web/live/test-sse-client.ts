/** Test support: a real server-sent-events client over fetch streaming, collecting events and comments as they come. */

/** One parsed event. */
export interface SseEvent {
  event: string;
  data: string;
}

/** An open stream: what arrived so far, a wait for a condition, and close(). */
export interface SseClient {
  status: number;
  /** The response headers. */
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  /** True once the server ended the stream (or close() was called). */
  closed: boolean;
  /** Resolves once `pred` holds for what arrived (checked at each chunk), rejects after `ms`. */
  until(pred: (c: SseClient) => boolean, ms?: number): Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream with `headers`; resolves once the response headers are in. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const waiters = new Set<() => void>();
  const client: SseClient = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    closed: false,
    until(pred, ms = 5_000) {
      if (pred(client)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pred(client)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; events so far: ${JSON.stringify(client.events).slice(0, 500)}`));
        }, ms);
        waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
  if (res.status !== 200 || !res.body) return client;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          parseBlock(buffer.slice(0, end), client);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        for (const check of [...waiters]) check();
      }
    } catch {
      // aborted by close(), or the server dropped the stream
    }
    client.closed = true;
    for (const check of [...waiters]) check();
  })();
  return client;
}

function parseBlock(block: string, client: SseClient): void {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (data.length > 0) client.events.push({ event, data: data.join('\n') });
}
