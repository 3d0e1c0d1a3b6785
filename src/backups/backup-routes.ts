/**
 * One database's backups for the dashboard's database panel: state, size, checksums, drill result and counts.
 * Read-only (the actions, back up now and drill now, are control's). Records never hold a secret: targets are
 * descriptions without credentials and recipients are key fingerprints.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../web/route-module.js';
import type { BackupRecord } from './backup-record.js';

/** What the route reads: the backup catalog (src/backups/backup-store.ts). */
export interface BackupRouteDeps {
  backupCatalog?: { list(source: { app: string; database: string }): Promise<BackupRecord[]> };
}

/** The backups listing when the catalog is wired. */
export const backupRoutes: RouteModule<BackupRouteDeps> = {
  name: 'backups',
  register: (app, deps) => {
    if (deps.backupCatalog) registerBackupRoutes(app, deps.backupCatalog);
  },
};

/** Registers GET /api/databases/:app/:name/backups (newest first, `limit` 1..1000, default 50). */
export function registerBackupRoutes(app: FastifyInstance, catalog: NonNullable<BackupRouteDeps['backupCatalog']>) {
  app.get<{ Params: { app: string; name: string }; Querystring: { limit?: string } }>(
    '/api/databases/:app/:name/backups',
    { config: { access: 'viewer' } },
    async (req, reply) => {
      const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        return reply.code(400).send({ error: 'limit must be a whole number from 1 to 1000' });
      const backups = await catalog.list({ app: req.params.app, database: req.params.name });
      return backups.slice(0, limit);
    },
  );
}
