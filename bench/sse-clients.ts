/**
 * The dashboard-api benchmark's SSE clients, in a process of their own so their CPU is not the server's:
 * `node sse-clients.js <json>` with `{ url, headers, overview: n, units: [ids] }` opens n overview streams and one
 * unit-page stream per id, prints `ready` once all are open, and on SIGTERM prints what each kind received as JSON.
 */
const config = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  headers: Record<string, string>;
  overview: number;
  units: string[];
};

const received = { overview: { streams: 0, events: 0, bytes: 0 }, unit: { streams: 0, events: 0, bytes: 0 } };
const abort = new AbortController();

async function open(topics: string, kind: 'overview' | 'unit'): Promise<void> {
  const res = await fetch(`${config.url}/api/events?topics=${encodeURIComponent(topics)}`, {
    headers: { accept: 'text/event-stream', ...config.headers },
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`stream ${topics}: HTTP ${res.status} ${await res.text()}`);
  received[kind].streams++;
  void (async () => {
    const decoder = new TextDecoder();
    let partial = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        received[kind].bytes += chunk.byteLength;
        const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('event: ')) received[kind].events++;
      }
    } catch {
      // aborted at the end
    }
  })();
}

await Promise.all([
  ...Array.from({ length: config.overview }, () => open('overview', 'overview')),
  ...config.units.map((id) => open(`unit:${id}`, 'unit')),
]);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  abort.abort();
  process.stdout.write(`${JSON.stringify(received)}\n`);
  process.exit(0);
});
