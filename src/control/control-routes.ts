/** The control capability's routes: overrides and operator actions, registered when the app wires `control`. */
import type { RouteModule } from '../web/route-module.js';
import { registerActionRoutes } from './action-routes.js';
import type { ControlRouteDeps } from './control-deps.js';
import { registerOverrideRoutes } from './override-routes.js';

/** Overrides, actions and plan reload. */
export const controlRoutes: RouteModule<ControlRouteDeps> = {
  name: 'control',
  register: (app, deps) => {
    const { control } = deps;
    if (!control) return;
    registerOverrideRoutes(app, { ...deps, control });
    registerActionRoutes(app, { ...deps, control });
  },
};
