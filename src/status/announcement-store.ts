/** Announcements on SQLite and PostgreSQL: what operators publish on an app's status page and feed. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/database.js';
import { toStoreError } from '../store/errors.js';
import type { StoreSchema } from '../store/schema.js';
import { withWriteGate } from '../store/write-gate.js';

/** How serious an announcement is; shown in words on the page. */
export type AnnouncementSeverity = 'info' | 'warning' | 'critical';

/** One announcement as the API, the page and the feed use it. Times are ms since epoch. */
export interface Announcement {
  id: number;
  app: string;
  title: string;
  body: string;
  severity: AnnouncementSeverity;
  startsAt: number;
  /** null: until deleted. */
  endsAt: number | null;
  createdAt: number;
  /** Who published it (`req.principal.name`), null when published without an account. */
  author: string | null;
}

/** What a new announcement needs. */
export type NewAnnouncement = Omit<Announcement, 'id'>;

interface AnnouncementsTable {
  id: number;
  app: string;
  title: string;
  body: string;
  severity: string;
  starts_at: number;
  ends_at: number | null;
  created_at: number;
  author: string | null;
}

interface StatusSchema extends StoreSchema {
  announcements: AnnouncementsTable;
}

/** The newest announcements a page or feed reads at most. */
export const ANNOUNCEMENT_LIMIT = 50;

/** Reads and writes of the announcements table. */
export class AnnouncementStore {
  private readonly db: Kysely<StatusSchema>;

  constructor(private readonly database: Database) {
    this.db = database.db as unknown as Kysely<StatusSchema>;
  }

  /** Stores a new announcement and returns it with its id. */
  async create(input: NewAnnouncement): Promise<Announcement> {
    const row = await this.run('createAnnouncement', () =>
      withWriteGate(this.database.gateKey, () =>
        this.db
          .insertInto('announcements')
          .values({
            app: input.app,
            title: input.title,
            body: input.body,
            severity: input.severity,
            starts_at: input.startsAt,
            ends_at: input.endsAt,
            created_at: input.createdAt,
            author: input.author,
          } as AnnouncementsTable)
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),
    );
    return fromRow(row);
  }

  /**
   * Announcements newest first (by start), of one app or all; with `openAt`, only those not ended by then (current
   * and scheduled ones).
   */
  async list(opts: { app?: string; openAt?: number; limit?: number } = {}): Promise<Announcement[]> {
    const rows = await this.run('listAnnouncements', () => {
      let query = this.db.selectFrom('announcements').selectAll();
      if (opts.app !== undefined) query = query.where('app', '=', opts.app);
      const openAt = opts.openAt;
      if (openAt !== undefined)
        query = query.where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', openAt)]));
      return query
        .orderBy('starts_at', 'desc')
        .orderBy('id', 'desc')
        .limit(opts.limit ?? ANNOUNCEMENT_LIMIT)
        .execute();
    });
    return rows.map(fromRow);
  }

  /** Deletes one announcement; returns it, or undefined when there was none with that id. */
  async remove(id: number): Promise<Announcement | undefined> {
    const row = await this.run('deleteAnnouncement', () =>
      withWriteGate(this.database.gateKey, () =>
        this.db.deleteFrom('announcements').where('id', '=', id).returningAll().executeTakeFirst(),
      ),
    );
    return row === undefined ? undefined : fromRow(row);
  }

  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toStoreError(operation, this.database.where, cause);
    }
  }
}

function fromRow(row: AnnouncementsTable): Announcement {
  return {
    id: Number(row.id),
    app: row.app,
    title: row.title,
    body: row.body,
    severity: row.severity as AnnouncementSeverity,
    startsAt: Number(row.starts_at),
    endsAt: row.ends_at === null ? null : Number(row.ends_at),
    createdAt: Number(row.created_at),
    author: row.author,
  };
}
