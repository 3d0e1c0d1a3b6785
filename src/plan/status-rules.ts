/** Rules of `apps.<app>.status`: every shown unit exists in that app, and public names are unique. */
import { JOB_SUFFIXES } from './compile-databases.js';
import type { PlanIssue } from './plan-error.js';
import type { PlanInput } from './plan-schema.js';
import type { StatusPagePlan } from './plan-types.js';
import { nearest } from './suggest.js';
import type { YamlSource } from './yaml-source.js';

type Ctx = { source: YamlSource; issues: PlanIssue[] };
type AppInput = PlanInput['apps'][string];

/** The unit names of one app as `app/<name>` addresses them: its checks and its databases' backup units. */
export function appUnitNames(app: AppInput): string[] {
  const names = Object.keys(app.checks ?? {});
  for (const [database, db] of Object.entries(app.databases ?? {})) {
    if (!db.backup) continue;
    // Drills and the freshness check exist only while drills are on (compile-databases.ts).
    const suffixes = db.backup.verify === false ? ['backup'] : JOB_SUFFIXES;
    for (const suffix of suffixes) names.push(`${database}.${suffix}`);
  }
  return names;
}

/** Validates every app's `status:` (pushing issues) and returns the status pages by app. */
export function checkStatusPages(plan: PlanInput, { source, issues }: Ctx): Record<string, StatusPagePlan> {
  const pages: Record<string, StatusPagePlan> = {};
  for (const [app, spec] of Object.entries(plan.apps)) {
    if (!spec.status) continue;
    const units = appUnitNames(spec);
    const publicNames = new Map<string, string>();
    for (const [unit, publicName] of Object.entries(spec.status.show)) {
      const path = ['apps', app, 'status', 'show', unit];
      if (!units.includes(unit)) {
        const suggestion = nearest(unit, units);
        issues.push(
          source.issueAt(
            path,
            `status.show names unit "${unit}", which app "${app}" does not have`,
            {
              expected: units.length > 0 ? `one of: ${units.join(', ')}` : 'a check or database unit of this app',
              ...(suggestion ? { suggestion } : {}),
            },
            'key',
          ),
        );
      }
      const key = publicName.toLowerCase();
      const first = publicNames.get(key);
      if (first !== undefined) {
        issues.push(
          source.issueAt(path, `public name "${publicName}" is used twice (also by "${first}")`, {
            expected: 'a public name unique on this status page',
          }),
        );
      } else publicNames.set(key, unit);
    }
    pages[app] = { title: spec.status.title, show: { ...spec.status.show } };
  }
  return pages;
}
