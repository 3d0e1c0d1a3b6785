#!/usr/bin/env node
// The load side of bench/status-page.bench.ts, in its own process so its CPU is not upkeep's: autocannon against
// one URL, printing autocannon's result as one JSON line.
// Usage: node bench/status-load.mjs <url> <seconds> <connections>
import autocannon from 'autocannon';

const [url, seconds, connections] = process.argv.slice(2);
const result = await autocannon({ url, duration: Number(seconds), connections: Number(connections), pipelining: 1 });
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    rps: result.requests.average,
    latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    bytes: result.throughput.total,
  })}\n`,
);
