/** Every capability's HTTP routes. Adding a capability's API is one line here (see src/web/route-module.ts). */
import { accountsRoutes } from '../accounts/admin-routes.js';
import { controlRoutes } from '../control/control-routes.js';
import { pingRoutes } from '../heartbeats/ping-routes.js';
import { metricsRoutes } from '../metrics/metrics-routes.js';
import { notifyRoutes } from '../notify/notify-routes.js';
import { runsRoutes } from '../runs/runs-routes.js';
import { statusRoutes } from '../status/status-routes.js';
import { liveRoutes } from './live/events-routes.js';
import type { RouteModule } from './route-module.js';
import type { ServerDeps } from './server.js';

/** Registered in this order, after upkeep's own /healthz. */
export const ROUTE_MODULES: readonly RouteModule<ServerDeps>[] = [
  runsRoutes,
  pingRoutes,
  notifyRoutes,
  accountsRoutes,
  controlRoutes,
  liveRoutes,
  statusRoutes,
  metricsRoutes,
];
