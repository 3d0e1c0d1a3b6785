/** Every migration, in order. Append only: a released migration is never edited or removed. */

import { migration0006 } from '../../accounts/migrations/0006-accounts.js';
import { migration0004 } from '../../backups/migrations/0004-backups.js';
import { migration0005 } from '../../backups/migrations/0005-backup-copies.js';
import { migration0007 } from '../../control/migrations/0007-control.js';
import { migration0003 } from '../../heartbeats/migrations/0003-heartbeats.js';
import { migration0002 } from '../../notify/migrations/0002-notify.js';
import { migration0001 } from '../../runs/migrations/0001-initial.js';
import { migration0009 } from '../../runs/migrations/0009-read-indexes.js';
import { migration0008 } from '../../status/migrations/0008-status.js';
import type { Migration } from './migration.js';

/** All migrations this upkeep knows, ascending by version. */
export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
];

/** The highest migration this upkeep knows. */
export const LATEST_MIGRATION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
