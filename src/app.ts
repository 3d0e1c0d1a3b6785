/**
 * The composition root: the one place that builds upkeep from its parts and injects config, store, clock and
 * logger. Nothing else creates singletons.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { accountsContext, issueSetupToken } from './accounts/accounts.js';
import { recordAudit } from './accounts/audit.js';
import { deriveAccountsKey } from './accounts/secrets.js';
import { inMaintenance, type Window } from './alerts/maintenance.js';
import type { StateChange } from './alerts/transition.js';
import { closingOnError, firstRunAt, openSyncedStore, unitKinds } from './app-store.js';
import { BackupStore } from './backups/backup-store.js';
import type { CheckKind } from './checks/kind.js';
import type { AuditLog } from './control/audit-port.js';
import type { Control } from './control/control-deps.js';
import { OverrideStore } from './control/override-store.js';
import { Overrides } from './control/overrides.js';
import { PlanReloader, type ReloadResult } from './control/plan-reload.js';
import type { ChangeFeed } from './core/change.js';
import type { RunRecord } from './core/run.js';
import { HeartbeatService } from './heartbeats/heartbeat-service.js';
import { HeartbeatStore } from './heartbeats/heartbeat-store.js';
import { RunTally } from './metrics/run-tally.js';
import { loadChannelKey } from './notify/channel-key.js';
import { Notifier } from './notify/notifier.js';
import { type LoadedPlan, loadPlan } from './plan/load-plan.js';
import type { CheckUnit } from './plan/units.js';
import type { KyselyStore } from './runs/kysely-store.js';
import { type Clock, systemClock } from './schedule/clock.js';
import { nextRunAt } from './schedule/schedule-spec.js';
import { Scheduler } from './schedule/scheduler.js';
import { unitDefinition } from './schedule/unit-definition.js';
import { startWalCheckpointer, type WalCheckpointer } from './store/wal-checkpointer.js';
import { VERSION } from './version.js';
import { type ListenRecord, recordListener } from './web/listen-record.js';
import { LiveHub } from './web/live/hub.js';
import { deliveryChange, recordedChanges } from './web/live/producers.js';
import { buildServer } from './web/server.js';

export interface AppOptions {
  planPath: string;
  /** The plan already loaded from planPath (the CLI loads it first for its error messages): not loaded twice. */
  plan?: LoadedPlan;
  env: Readonly<Record<string, string | undefined>>;
  dataDir: string;
  /** postgres://... selects PostgreSQL; otherwise SQLite in dataDir. */
  databaseUrl?: string;
  host: string;
  port: number;
  /** The prefix every route is served under behind a proxy (`/upkeep`), normalized; '' or absent: none. */
  basePath?: string;
  logger: Logger;
  clock?: Clock;
  concurrency?: number;
  dispatcher?: Dispatcher;
  onRecorded?: (unit: CheckUnit, run: RunRecord, change: StateChange | null) => void;
  /** Where changes are published for live pages. */
  changes?: ChangeFeed;
  /** Fastify's trustProxy for a reverse proxy in front (UPKEEP_TRUST_PROXY / --trust-proxy). */
  trustProxy?: boolean | number | string;
  /** Where operator actions are recorded (accounts' audit log; see src/control/audit-port.ts). */
  audit?: AuditLog;
}

/** A built upkeep: call start() to schedule and serve, stop() to drain and close, reload() to take the plan again. */
export interface App {
  /** The running plan (a reload replaces it). */
  readonly plan: LoadedPlan;
  store: KyselyStore;
  scheduler: Scheduler;
  notifier: Notifier;
  heartbeats: HeartbeatService;
  overrides: Overrides;
  /** The live hub: publish changes here (plan reloads, overrides) for open dashboards. */
  changes: LiveHub;
  /** Loads the plan file again; a plan with errors is refused and the running one stays (src/control/). */
  reload(): Promise<ReloadResult>;
  /** The HTTP server (listening once started). */
  server: FastifyInstance;
  /** Serves and schedules; with no user yet, `setupUrl` is a fresh one-time link that creates the first admin. */
  start(): Promise<{ url: string; setupUrl?: string }>;
  stop(graceMs?: number): Promise<{ finished: string[]; abandoned: string[] }>;
}

/** How often old raw results and rollups are pruned. */
const PRUNE_EVERY_MS = 3_600_000;

/** Loads the plan, opens and migrates the store, syncs units, and wires the scheduler and HTTP server. */
export async function createApp(opts: AppOptions): Promise<App> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger;
  const plan = opts.plan ?? (await loadPlan(opts.planPath, { env: opts.env }));
  const store = await openSyncedStore(opts, plan, clock, logger);
  // What a reload replaces: the plan, its maintenance windows and the kinds bound to its time zone.
  const live: LivePlan = { plan, windows: plan.maintenance as Window[], kinds: unitKinds(store, plan, clock, logger) };
  const worker = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  // Open dashboards hear of changes through the live hub; a caller's own feed (tests, embedders) hears them too.
  const hub = new LiveHub();
  const outer = opts.changes;
  const feed: ChangeFeed = outer
    ? {
        publish: (c) => {
          hub.publish(c);
          outer.publish(c);
        },
      }
    : hub;
  // Operators' overrides, consulted in memory at every run (src/control/overrides.ts).
  const overrides = new Overrides({ store: new OverrideStore(store.database), clock, logger, changes: feed });
  await closingOnError(store, () => overrides.refresh());
  const unitInMaintenance = (unit: CheckUnit, now: number) =>
    inMaintenance(live.windows, unit.app, now) || overrides.inMaintenance(unit, now);
  // With port 0 the real port is known only once listening: links use it from then on (see start()).
  const link: Link = { url: publicUrl(opts), chosenAtListen: opts.port === 0 && !opts.env.UPKEEP_PUBLIC_URL };
  // Runs recorded by the scheduler and by heartbeat pings are told alike: the CLI prints every transition, and a
  // new transition wakes the notifier instead of waiting for its poll. `notifier` is built below, before any run.
  const runTally = new RunTally();
  const onRecorded = (unit: CheckUnit, run: RunRecord, change: StateChange | null) => {
    runTally.observe(unit, run.outcome);
    if (change) notifier.wake();
    if (change && (change.to === 'resolved' || change.to === 'ok'))
      overrides.alertResolved(unit).catch((err) => logger.warn({ err, unit: unit.id }, 'could not end an ack'));
    for (const c of recordedChanges(unit, run, change)) hub.publish(c);
    opts.onRecorded?.(unit, run, change);
  };
  const heartbeatStore = new HeartbeatStore(store.database);
  const heartbeats = new HeartbeatService({
    store: heartbeatStore,
    units: plan.units,
    clock,
    logger,
    worker,
    inMaintenance: unitInMaintenance,
    onRecorded,
  });
  // Sets heartbeat units' next run to the moment they become late, overriding the first-run spread.
  await closingOnError(store, () => heartbeats.sync());
  const notifier = new Notifier({
    database: store.database,
    plan: plan.plan,
    clock,
    logger,
    worker,
    baseUrl: () => link.url + (opts.basePath ?? ''),
    dispatcher: opts.dispatcher,
    // Kept in the data dir, never in the store: fingerprints of channel entries must not be testable from a dump.
    channelKey: () => loadChannelKey(opts.dataDir, opts.env),
    hold: (unitId, now, what) => overrides.holdReason({ id: unitId, app: appOf(unitId) }, now, what),
    onDelivery: (note) => hub.publish(deliveryChange(note)),
  });
  const scheduler = new Scheduler({
    store,
    units: plan.units,
    findKind: (name) => live.kinds(name),
    clock,
    logger,
    worker,
    concurrency: opts.concurrency ?? 64,
    nextRunAt: (unit, after) => heartbeats.nextRunAt(unit, after) ?? nextRunAt(unit.schedule, after, unit.id),
    inMaintenance: unitInMaintenance,
    paused: (unit, now) => overrides.paused(unit, now),
    dispatcher: opts.dispatcher,
    heartbeats,
    onRecorded,
  });
  const control = controlFor({ opts, store, scheduler, heartbeats, notifier, overrides, live, clock, logger, worker });
  const parts = {
    store,
    scheduler,
    notifier,
    heartbeats,
    overrides,
    changes: hub,
    reload: () => control.reloader.reload(),
  };
  return withLifecycle(parts, { opts, heartbeatStore, clock, logger, worker, link, live, control, runTally });
}

/** What a reload replaces. */
interface LivePlan {
  plan: LoadedPlan;
  windows: Window[];
  kinds: (name: string) => CheckKind | undefined;
}

/** Control's side of the running app: overrides, actions through the scheduler and notifier, and plan reload. */
function controlFor(p: {
  opts: AppOptions;
  store: KyselyStore;
  scheduler: Scheduler;
  heartbeats: HeartbeatService;
  notifier: Notifier;
  overrides: Overrides;
  live: LivePlan;
  clock: Clock;
  logger: Logger;
  worker: string;
}): Control {
  const { opts, store, scheduler, heartbeats, notifier, overrides, live, clock, logger, worker } = p;
  const reloader = new PlanReloader({
    path: opts.planPath,
    clock,
    logger,
    database: store.database,
    worker,
    changes: () => overrides.changes,
    target: {
      current: () => live.plan,
      load: () => loadPlan(opts.planPath, { env: opts.env }),
      apply: async (next) => {
        // The scheduler first: a removed unit is not claimed again while the store forgets it.
        scheduler.setUnits(next.units);
        const now = clock.now();
        const byId = new Map(next.units.map((u) => [u.id, u]));
        try {
          await store.syncUnits(next.units.map(unitDefinition), (id) => firstRunAt(byId.get(id), id, now));
        } catch (err) {
          scheduler.setUnits(live.plan.units); // the store kept the old units: so does the scheduler
          throw err;
        }
        Object.assign(live, {
          plan: next,
          windows: next.maintenance as Window[],
          kinds: unitKinds(store, next, clock, logger),
        });
        heartbeats.setUnits(next.units);
        await heartbeats.sync();
        notifier.setPlan(next.plan);
      },
    },
  });
  return {
    overrides,
    reloader,
    unit: (id) => scheduler.unit(id),
    apps: () => Object.keys(live.plan.plan.apps),
    runNow: (id) => scheduler.runNow(id),
    testSend: (channel) => notifier.sendTest(channel),
    hasChannel: (name) => Object.hasOwn(live.plan.plan.notify, name),
  };
}

/** The app of a unit id `app/unit`. */
function appOf(unitId: string): string {
  const slash = unitId.indexOf('/');
  return slash < 0 ? unitId : unitId.slice(0, slash);
}

/** Where links point; with port 0 the URL is fixed up once the server listens. */
interface Link {
  url: string;
  chosenAtListen: boolean;
}

/** The built parts with start() (serve, schedule, notify, prune) and stop() (drain within one grace, close). */
function withLifecycle(
  parts: Omit<App, 'start' | 'stop' | 'plan' | 'server'>,
  ctx: {
    opts: AppOptions;
    heartbeatStore: HeartbeatStore;
    clock: Clock;
    logger: Logger;
    worker: string;
    link: Link;
    live: LivePlan;
    control: Control;
    runTally: RunTally;
  },
): App {
  const { store, scheduler, notifier, heartbeats, overrides, changes: hub } = parts;
  const { opts, heartbeatStore, clock, logger, worker, link, live, control, runTally } = ctx;
  // TOTP secrets are encrypted under a key derived from the data dir's key file, like channel fingerprints.
  const accountsKey = () => loadChannelKey(opts.dataDir, opts.env).then(deriveAccountsKey);
  const server = buildServer({
    store,
    scheduler,
    heartbeats,
    notifier,
    // Without a fixed address the API links to the host and port each request came in on.
    publicUrl: link.chosenAtListen ? undefined : link.url + (opts.basePath ?? ''),
    basePath: opts.basePath,
    backupCatalog: new BackupStore(store.database),
    logger,
    now: () => clock.now(),
    version: VERSION,
    control,
    changes: hub,
    // The plan's windows and the operators' ad-hoc ones, for the overview and the status pages alike.
    maintenance: () => [...live.windows, ...overrides.windows()],
    activeOverrides: async () => overrides.active().length,
    // Operator actions land in accounts' audit log, beside sign-ins and user changes.
    audit: opts.audit ?? { record: (entry) => recordAudit(store.database, { ...entry, at: clock.now() }) },
    trustProxy: opts.trustProxy,
    accountsKey,
    plan: () => ({ ...live.plan, maintenance: [...live.plan.maintenance, ...overrides.windows()] }),
    runTally,
  });
  let pruneTimer: NodeJS.Timeout | undefined;
  let checkpointer: WalCheckpointer | undefined;
  let listenRecord: ListenRecord | undefined;

  return {
    ...parts,
    server,
    get plan() {
      return live.plan;
    },
    async start() {
      checkpointer = startWalCheckpointer(store.database, { logger });
      await overrides.start();
      scheduler.start();
      notifier.start();
      const prune = () =>
        Promise.all([
          store.prune(clock.now(), live.plan.retention),
          heartbeatStore.prunePings(clock.now() - live.plan.retention.raw),
        ]).catch((err) => logger.error({ err }, 'pruning history failed'));
      void prune();
      pruneTimer = setInterval(prune, PRUNE_EVERY_MS).unref();
      const address = await server.listen({ host: opts.host, port: opts.port });
      if (link.chosenAtListen) link.url = `${link.url.slice(0, link.url.lastIndexOf(':'))}:${new URL(address).port}`;
      // So `upkeep status` and `upkeep exec` in another shell use the ping URLs this server answers.
      listenRecord = await recordListener(store.database, { worker, url: link.url, clock, logger });
      // No default password: while there is no user, each start prints a new single-use link (older ones stop working).
      const accounts = accountsContext(store.database, { now: () => clock.now(), totpKey: accountsKey });
      const setupToken = await issueSetupToken(accounts);
      return setupToken
        ? { url: address, setupUrl: `${link.url}${opts.basePath ?? ''}/setup?token=${setupToken}` }
        : { url: address };
    },
    async stop(graceMs = 8_000) {
      clearInterval(pruneTimer);
      overrides.stop();
      await server.close();
      await listenRecord?.stop();
      await heartbeats.close(); // writes pings still waiting for their batch
      // One grace period for both: in-flight runs and sends drain side by side, so a stop is bounded by it.
      const [result] = await Promise.all([scheduler.stop(graceMs), notifier.stop(graceMs)]);
      await checkpointer?.stop();
      await store.close();
      return result;
    },
  };
}

/** Where people reach this upkeep, for links in messages and ping URLs. */
function publicUrl(opts: AppOptions): string {
  if (opts.env.UPKEEP_PUBLIC_URL) return opts.env.UPKEEP_PUBLIC_URL.replace(/\/+$/, '');
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
}
