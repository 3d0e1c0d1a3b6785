/**
 * `upkeep backups --scan <folder | file:URL | s3://bucket/prefix>`: rebuilds the catalog from the archive files found
 * there, each read through from the file alone (as `upkeep verify <file>` does). Idempotent: a file already in the
 * catalog (by name and place, or by content) is counted as known, not added again.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContext } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { identitiesOf } from '../jobs/backup-work.js';
import type { LoadedPlan } from '../plan/load-plan.js';
import { readArchiveFile } from './archive-file.js';
import type { BackupCopy } from './backup-record.js';
import { type BackupSession, stopSignal } from './command-support.js';
import { BackupError } from './errors.js';
import { type BackupTarget, resolveTarget } from './target.js';

/** What a scan found. */
export interface ScanReport {
  target: string;
  found: number;
  added: string[];
  known: string[];
  /** Backups the catalog knew from another target, now with a copy here too. */
  copied: string[];
  unreadable: { file: string; reason: string }[];
}

/** Scans `where` into the catalog and prints the report; exit 1 when a file could not be read. */
export async function runScan(
  where: string,
  session: BackupSession,
  loaded: LoadedPlan | undefined,
  ctx: CliContext,
  json: boolean,
): Promise<number> {
  const target = openScanTarget(where, ctx);
  const report = await scanTarget(target, session, await scanIdentities(loaded, ctx), ctx);
  if (json) {
    ctx.stdout.write(
      `${JSON.stringify(
        {
          target: report.target,
          found: report.found,
          added: report.added.length,
          known: report.known.length,
          copied: report.copied.length,
          unreadable: report.unreadable.length,
          addedIds: report.added,
          problems: report.unreadable,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    ctx.stdout.write(
      `scanned ${report.target}: ${report.found} found, ${report.added.length} added, ` +
        `${report.known.length} already in the catalog, ${report.unreadable.length} unreadable` +
        (report.copied.length > 0 ? `, ${report.copied.length} known from another target (copy recorded)` : '') +
        '\n',
    );
    for (const u of report.unreadable) ctx.stdout.write(`  unreadable ${u.file}: ${u.reason}\n`);
    if (report.added.length > 0) ctx.stdout.write('list them with `upkeep backups`\n');
  }
  return report.unreadable.length > 0 ? 1 : 0;
}

/** Reads every archive of `target` and adds the new ones to the catalog. */
export async function scanTarget(
  target: BackupTarget,
  session: BackupSession,
  identities: readonly string[],
  ctx: CliContext,
): Promise<ScanReport> {
  const catalog = session.deps.catalog;
  const report: ScanReport = {
    target: target.description,
    found: 0,
    added: [],
    known: [],
    copied: [],
    unreadable: [],
  };
  const work = await mkdtemp(join(tmpdir(), 'upkeep-scan-'));
  const signal = stopSignal(ctx);
  try {
    for (const entry of await target.list()) {
      report.found++;
      const here = target.description;
      const byName = (await catalog.find(entry.name)).find(
        (r) => r.target === here || r.copies.some((c) => c.target === here),
      );
      if (byName) {
        report.known.push(byName.id);
        continue;
      }
      try {
        const record = await readArchiveFile({
          target,
          name: entry.name,
          identities,
          adapterFor: (engine) => session.deps.adapterFor(engine),
          ctx: { signal, tmpDir: work },
          now: Date.now(),
        });
        const known = await catalog.get(record.id);
        if (known) {
          // The same backup under the same name on another of its targets: the catalog learns this copy too (a copy
          // has no file name of its own, so a renamed file stays a backup of its own).
          const anotherCopy = known.file === record.file && !known.copies.some((c) => c.target === here);
          if (anotherCopy) {
            await catalog.addCopy(known.id, record.copies[0] as BackupCopy);
            report.copied.push(known.id);
          } else report.known.push(known.id);
          continue;
        }
        await catalog.insert(record);
        report.added.push(record.id);
      } catch (err) {
        if (!(err instanceof BackupError) || err.reason === 'internal' || err.reason === 'aborted') throw err;
        report.unreadable.push({ file: entry.name, reason: err.message });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return report;
}

/** The target to scan; a local folder that does not exist is a usage error, not an empty scan. */
function openScanTarget(where: string, ctx: CliContext): BackupTarget {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(where)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'file' && scheme !== 's3') {
    throw new UsageError(`--scan ${where}: give a folder, a file: URL or s3://<bucket>/<prefix>`);
  }
  const target = resolveTarget(where, { baseDir: ctx.cwd, env: ctx.env });
  const dir = target.description.startsWith('file:') ? target.description.slice('file:'.length) : undefined;
  if (dir !== undefined && !existsSync(dir)) {
    throw new UsageError(
      `--scan ${where}: no folder ${dir}; give the folder (or s3://bucket/prefix) the backups are in`,
    );
  }
  return target;
}

/** Every identity that may open the files: UPKEEP_BACKUP_IDENTITY and the plan's, if there is a plan. */
async function scanIdentities(loaded: LoadedPlan | undefined, ctx: CliContext): Promise<string[]> {
  const out = new Set(await identitiesOf(undefined, ctx.env, ctx.cwd));
  for (const plan of loaded?.backups ?? []) {
    if (plan.encrypt?.identity) for (const id of await identitiesOf(plan, {}, ctx.cwd)) out.add(id);
  }
  return [...out];
}
