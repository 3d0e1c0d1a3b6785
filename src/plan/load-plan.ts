/** Loads upkeep.yml: YAML with positions → `${VAR}` → schema → cross-rules → Plan and units, or a PlanError. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CheckKind } from '../checks/kind.js';
import { checkKinds } from '../checks/registry.js';
import type { Retention } from '../core/run.js';
import { maskerFor, type Secret } from '../shared/mask.js';
import { validateCheckEntry } from './check-entries.js';
import { compileUnits } from './compile.js';
import { compileBackupPlans, compileBackupUnits, type DatabaseBackupPlan } from './compile-databases.js';
import { scrubSecrets } from './interpolate.js';
import { checkCheckChannels, compileAlertDefaults } from './notify-options.js';
import { PlanError, type PlanIssue } from './plan-error.js';
import {
  checkAppReferences,
  checkRoutes,
  checkTimeZone,
  checkUniqueNames,
  compileMaintenance,
  compileRetention,
} from './plan-rules.js';
import { planSchema } from './plan-schema.js';
import type { AppPlan, CheckEntry, MaintenanceWindow, Plan } from './plan-types.js';
import { channelSecrets, planSecrets } from './secret-vars.js';
import { checkStatusPages } from './status-rules.js';
import type { CheckUnit } from './units.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';
import { toPlanIssues } from './zod-issues.js';

export { PlanError, type PlanIssue } from './plan-error.js';
export type { AppPlan, ChannelPlan, CheckEntry, MaintenanceWindow, Plan, StatusPagePlan } from './plan-types.js';

/** What a loaded plan gives the rest of upkeep. */
export interface LoadedPlan {
  plan: Plan;
  units: CheckUnit[];
  /** Every database's backup (src/plan/compile-databases.ts); holds connection strings, never log it. */
  backups: DatabaseBackupPlan[];
  timezone: string;
  maintenance: MaintenanceWindow[];
  retention: Retention;
  /** The values masked in everything shown or stored (src/plan/secret-vars.ts); never show or store this list. */
  secrets: readonly Secret[];
}

/** Inputs of parsing; `env` replaces process.env so tests and callers decide what `${VAR}` sees. */
export interface ParseOptions {
  /** Shown in issues; the path the text came from. */
  file: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The check kinds to accept (default: the registry). */
  kinds?: readonly CheckKind<unknown>[];
}

// Check entries are validated one by one (their schema depends on the kind key), so the outer pass only wants a mapping.
const outerSchema = planSchema(z.looseObject({}));

/** Parses and validates plan text. Throws PlanError listing every problem with file:line:col. */
export function parsePlan(text: string, options: ParseOptions): LoadedPlan {
  const { file, env } = options;
  const kinds = options.kinds ?? (checkKinds as readonly CheckKind<unknown>[]);
  const source = parseYamlSource(text, file, env);
  const issues: PlanIssue[] = [...source.issues];
  const fail = (): never => {
    throw scrubbedPlanError(issues, source.used);
  };
  // Nothing usable to validate: a syntax error, or an empty file (already reported).
  if (source.data === undefined || source.data === null) fail();

  const parsed = outerSchema.safeParse(source.data);
  if (!parsed.success) {
    issues.push(...toPlanIssues(parsed.error.issues, { base: [], schema: outerSchema, data: source.data, source }));
    fail();
  }
  const input = parsed.data as z.output<typeof outerSchema>;
  const ctx = { source, issues };
  const timezone = checkTimeZone(input.timezone, ctx);
  const routes = checkRoutes(input, ctx);
  checkUniqueNames(input, ctx);
  checkAppReferences(input, ctx);
  checkCheckChannels(input, ctx);
  const statusPages = checkStatusPages(input, ctx);
  if (timezone === undefined) fail();
  const zone = timezone as string;
  const maintenance = compileMaintenance(input, zone, ctx);

  const apps = compileApps(input, { kinds, timezone: zone, source, issues });
  for (const [app, page] of Object.entries(statusPages)) if (apps[app]) apps[app].status = page;
  const backups = compileBackupPlans(input, { timezone: zone, source, issues, file });
  if (issues.length > 0) fail();

  const retention = compileRetention(input);
  const plan: Plan = {
    version: 1,
    timezone: zone,
    notify: input.notify ?? {},
    routes,
    apps,
    maintenance,
    retention,
    alerts: compileAlertDefaults(input.alerts),
    metrics: { public: input.metrics?.public ?? false },
  };
  const secrets = planSecrets(source.used, input.secretVars, channelSecrets(input.notify));
  const mask = maskerFor(secrets);
  // Each unit's target is masked here, once, and each unit carries the secrets its runs are masked with.
  const units = [...compileUnits(plan, kinds), ...compileBackupUnits(backups)].map((unit) => ({
    ...unit,
    target: mask.text(unit.target),
    secrets,
  }));
  return { plan, units, backups, timezone: zone, maintenance, retention, secrets };
}

/** The plan's issues as one PlanError, with every secret value put back as its `${VAR}` reference. */
function scrubbedPlanError(issues: readonly PlanIssue[], used: YamlSource['used']): PlanError {
  // Secret values must never reach a terminal or a log: put the ${VAR} reference back.
  return new PlanError(
    issues.map((issue) => {
      const scrubbed: PlanIssue = { ...issue, message: scrubSecrets(issue.message, used) };
      for (const key of ['found', 'expected', 'suggestion'] as const) {
        const value = issue[key];
        if (value !== undefined) scrubbed[key] = scrubSecrets(value, used);
      }
      return scrubbed;
    }),
  );
}

/** Each app with its checks validated (issues pushed for the bad ones) and its other sections as written. */
function compileApps(
  input: z.output<typeof outerSchema>,
  ctx: Parameters<typeof validateCheckEntry>[2],
): Record<string, AppPlan> {
  const apps: Record<string, AppPlan> = {};
  for (const [app, spec] of Object.entries(input.apps)) {
    const checks: Record<string, CheckEntry> = {};
    for (const [name, raw] of Object.entries(spec.checks ?? {})) {
      const entry = validateCheckEntry(raw, ['apps', app, 'checks', name], ctx);
      if (entry) checks[name] = entry;
    }
    apps[app] = {
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      checks,
      databases: spec.databases ?? {},
      repos: spec.repos ?? {},
      secrets: spec.secrets ?? {},
      checklists: spec.checklists ?? {},
    };
  }
  return apps;
}

/** Reads and parses a plan file. A missing or unreadable file is a PlanError too, saying what to do. */
export async function loadPlan(
  path: string,
  options: { env: Readonly<Record<string, string | undefined>>; kinds?: readonly CheckKind<unknown>[] },
): Promise<LoadedPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanError([
      {
        file: path,
        line: 1,
        column: 1,
        path: '',
        message:
          code === 'ENOENT'
            ? 'plan file not found: create upkeep.yml or pass --plan <file> (or set UPKEEP_PLAN)'
            : `cannot read the plan file (${code ?? (error as Error).message})`,
      },
    ]);
  }
  return parsePlan(text, { file: path, ...options });
}
