/** A local HTTP target for benchmarks: answers the seed's health JSON, run as a child so its CPU is not counted. */
import { createServer } from 'node:http';

const body = JSON.stringify({
  status: 'ok',
  timestamp: new Date().toISOString(),
  uptime: 1,
  database: 'connected',
  environment: 'bench',
  metrics: {
    requests: 1000,
    errors: 5,
    errorRate: '0.50%',
    memory: { heapUsed: '45MB', heapTotal: '60MB', rss: '120MB' },
  },
});
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`${address.port}\n`);
});
