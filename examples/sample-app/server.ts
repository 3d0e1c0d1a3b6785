/**
 * Starts the sample app, in-process (`startSampleApp`) or as a program:
 *   node --import tsx examples/sample-app/server.ts      (PORT, HOST, SAMPLE_APP_* switches from the environment)
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createSampleApp, type SampleApp, type SampleAppOptions } from './app.js';
import { type Switches, switchesFromEnv } from './switches.js';

/** Where to listen and how to start; `env` supplies SAMPLE_APP_* switches unless `switches` is given. */
export interface StartSampleAppOptions extends Omit<SampleAppOptions, 'switches'> {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1: the demo never needs to be reachable from elsewhere. */
  host?: string;
  /** Read for SAMPLE_APP_SLOW_MS, SAMPLE_APP_FAIL, SAMPLE_APP_ERROR_RATE, SAMPLE_APP_LEAK_MB. Default: none. */
  env?: Record<string, string | undefined>;
  /** Explicit switches; override anything read from `env`. */
  switches?: Partial<Switches>;
}

/** A listening sample app. */
export interface RunningSampleApp {
  /** e.g. `http://127.0.0.1:41234`; what a plan's ${SAMPLE_APP_URL} should be. */
  url: string;
  /** e.g. `127.0.0.1:41234`; what a plan's ${SAMPLE_APP_HOSTPORT} should be. */
  hostPort: string;
  host: string;
  port: number;
  /** The live app: its switches, health counters and leak. */
  sample: SampleApp;
  /** Stops listening, drops keep-alive connections and the leak; resolves when the port is free. */
  close: () => Promise<void>;
}

/** Starts the sample app listening on `host:port` and resolves once it accepts connections. */
export async function startSampleApp(options: StartSampleAppOptions = {}): Promise<RunningSampleApp> {
  const host = options.host ?? '127.0.0.1';
  const switches = { ...switchesFromEnv(options.env ?? {}), ...options.switches };
  const sample = createSampleApp({ ...options, switches });
  const server: Server = await new Promise((resolve, reject) => {
    const s = sample.app.listen(options.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `http://${hostPort}`,
    hostPort,
    host,
    port,
    sample,
    close: async () => {
      sample.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A monitor keeps its connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      });
    },
  };
}

/** Runs the sample app as a program until SIGINT/SIGTERM. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const running = await startSampleApp({ env, port: Number(env.PORT ?? 3000), host: env.HOST ?? '127.0.0.1' });
  process.stdout.write(
    `sample app listening on ${running.url}\n` +
      `  export SAMPLE_APP_URL=${running.url} SAMPLE_APP_HOSTPORT=${running.hostPort}\n` +
      `  misbehave: curl -X POST ${running.url}/admin/slow?ms=3000 | fail | error-rate?percent=10 | leak?mb=4 | reset\n`,
  );
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`sample app failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
