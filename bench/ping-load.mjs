#!/usr/bin/env node
// The load side of bench/pings.bench.ts, in its own process so its CPU is not upkeep's: autocannon against the ping
// URLs given (round-robin over the heartbeats), printing autocannon's result as one JSON line.
// Usage: node bench/ping-load.mjs <base> <seconds> <connections> <token> [token...]
import autocannon from 'autocannon';

const [base, seconds, connections, ...tokens] = process.argv.slice(2);
// Each connection walks the list of heartbeats, as many cron jobs would; fixed requests are prebuilt by autocannon.
const result = await autocannon({
  url: base,
  duration: Number(seconds),
  connections: Number(connections),
  pipelining: 1,
  requests: tokens.map((token) => ({ method: 'GET', path: `/ping/${token}` })),
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: result.requests.average,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    seconds: Number(seconds),
  })}\n`,
);
