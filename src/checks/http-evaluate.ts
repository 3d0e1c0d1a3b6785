/** The pure evaluation of an http observation against the spec's expectations and the unit's recent values. */

import type { Observation, RecentValues, Verdict } from '../core/observation.js';
import type { Severity } from '../core/outcome.js';
import type { HttpSpec } from './http.js';
import { formatMismatch, readPath, subsetMismatches } from './json-subset.js';
import { formatQuantity, parseMs, parseQuantity } from './quantity.js';
import { breaches, describePass, parseThreshold } from './threshold.js';
import { buildVerdict, failureVerdict, type Judged, judgeLevels } from './verdict.js';

type Expect = HttpSpec['expect'];

/** Does `status` satisfy one expected item (`200`, `"2xx"`, `"204"`)? */
export function statusMatches(status: number, item: number | string): boolean {
  if (typeof item === 'number') return status === item;
  const text = item.toLowerCase();
  if (text.endsWith('xx')) return Math.floor(status / 100) === Number(text[0]);
  return status === Number(text);
}

function judgeStatus(expect: Expect, status: number): Judged {
  const items = expect.status === undefined ? ['2xx'] : Array.isArray(expect.status) ? expect.status : [expect.status];
  const wanted = items.map(String).join(', ');
  const condition = items.length === 1 ? `status ${wanted}` : `status in [${wanted}]`;
  const passed = items.some((item) => statusMatches(status, item));
  return {
    condition,
    passed,
    severity: 'critical',
    actual: String(status),
    failText: `HTTP ${status} (expected ${wanted})`,
  };
}

function judgeBody(expect: Expect, facts: Record<string, unknown>): Judged[] {
  if (expect.body === undefined) return [];
  const condition = 'body contains the expected JSON';
  if (typeof facts.jsonError === 'string' || !('json' in facts)) {
    const why = typeof facts.jsonError === 'string' ? facts.jsonError : 'body is not JSON';
    return [{ condition, passed: false, severity: 'critical', actual: why, failText: 'body is not JSON' }];
  }
  const mismatches = subsetMismatches(expect.body, facts.json);
  const actual = mismatches.map(formatMismatch).join('; ');
  return [
    {
      condition,
      passed: mismatches.length === 0,
      severity: 'critical',
      actual: actual || 'match',
      failText: `body: ${actual}`,
    },
  ];
}

function judgeKeywords(expect: Expect, facts: Record<string, unknown>): Judged[] {
  const excerpt = typeof facts.body === 'string' ? facts.body : '';
  const out: Judged[] = [];
  if (expect.keyword !== undefined) {
    // The probe searched the whole body; hand-made observations may carry only the excerpt.
    const found = typeof facts.keywordFound === 'boolean' ? facts.keywordFound : excerpt.includes(expect.keyword);
    const condition = `body contains ${JSON.stringify(expect.keyword)}`;
    out.push({
      condition,
      passed: found,
      severity: 'critical',
      actual: found ? 'found' : 'not found',
      failText: `keyword ${JSON.stringify(expect.keyword)} not in body`,
    });
  }
  if (expect.notKeyword !== undefined) {
    const found =
      typeof facts.notKeywordFound === 'boolean' ? facts.notKeywordFound : excerpt.includes(expect.notKeyword);
    const condition = `body lacks ${JSON.stringify(expect.notKeyword)}`;
    out.push({
      condition,
      passed: !found,
      severity: 'critical',
      actual: found ? 'found' : 'not found',
      failText: `body contains ${JSON.stringify(expect.notKeyword)}`,
    });
  }
  return out;
}

function severest(levels: { warning?: unknown; critical?: unknown }): Severity {
  return levels.critical !== undefined ? 'critical' : 'warning';
}

/** Reads a metric from the JSON facts as a number; a string such as "0.50%" is parsed. */
function readMetric(facts: Record<string, unknown>, path: string) {
  if (!('json' in facts) || typeof facts.jsonError === 'string') return { error: 'body is not JSON' } as const;
  const raw = readPath(facts.json, path);
  if (raw === undefined) return { error: `${path} missing from the body` } as const;
  const quantity = parseQuantity(raw);
  if (!quantity) return { error: `${path} is not a number (${JSON.stringify(raw)?.slice(0, 40)})` } as const;
  return { quantity } as const;
}

function judgeMetrics(expect: Expect, facts: Record<string, unknown>, values: Record<string, number>): Judged[] {
  const out: Judged[] = [];
  for (const metric of expect.metrics ?? []) {
    const read = readMetric(facts, metric.path);
    if ('error' in read) {
      out.push({
        condition: `${metric.path} readable`,
        passed: false,
        severity: severest(metric),
        actual: read.error,
        failText: read.error,
      });
      continue;
    }
    const { value, dimension } = read.quantity;
    values[metric.path] = value;
    for (const severity of ['critical', 'warning'] as const) {
      const rule = parseThreshold(metric[severity]);
      if (!rule) continue;
      const shown = formatQuantity(value, dimension === 'number' ? rule.dimension : dimension);
      // Comparing 45MB with "> 5%" is a plan mistake; say so instead of comparing meaningless numbers.
      if (dimension !== 'number' && rule.dimension !== 'number' && dimension !== rule.dimension) {
        const why = `${metric.path} is ${shown} but the rule is "${rule.text}" (${rule.dimension})`;
        out.push({
          condition: describePass(metric.path, rule),
          passed: false,
          severity,
          actual: shown,
          failText: why,
          group: metric.path,
        });
        continue;
      }
      const failed = breaches(value, rule);
      out.push({
        condition: describePass(metric.path, rule),
        passed: !failed,
        severity,
        actual: shown,
        failText: `${metric.path} ${shown} (${rule.text})`,
        group: metric.path,
      });
    }
  }
  return out;
}

function percent(value: unknown): number | undefined {
  const q = parseQuantity(value);
  return q && (q.dimension === 'percent' || q.dimension === 'number') ? q.value : undefined;
}

/** Growth in percent of `path` from the oldest to the newest of the last `window` runs (this run included). */
export function heapGrowthPercent(samples: number[]): number {
  const first = samples[0] ?? 0;
  const last = samples[samples.length - 1] ?? 0;
  return first > 0 ? ((last - first) / first) * 100 : 0;
}

function judgeHeapGrowth(
  expect: Expect,
  facts: Record<string, unknown>,
  values: Record<string, number>,
  recent: RecentValues[],
): Judged[] {
  const rule = expect.heapGrowth;
  if (!rule) return [];
  const read = readMetric(facts, rule.path);
  const subject = `growth of ${rule.path} over ${rule.window} runs`;
  if ('error' in read) {
    return [{ condition: subject, passed: false, severity: severest(rule), actual: read.error, failText: read.error }];
  }
  values[rule.path] = read.quantity.value;
  const history = recent.map((r) => r.values[rule.path]).filter((v): v is number => typeof v === 'number');
  const samples = [...history.slice(-(rule.window - 1)), read.quantity.value];
  if (samples.length < rule.window) {
    // Too little history to call a trend: a leak alarm right after a restart would be noise.
    return [
      {
        condition: subject,
        passed: true,
        severity: severest(rule),
        actual: `collecting ${samples.length}/${rule.window} runs`,
      },
    ];
  }
  const growth = heapGrowthPercent(samples);
  const levels = { warning: percent(rule.warning), critical: percent(rule.critical) };
  return judgeLevels(levels, growth, subject, (n) => `${Math.round(n * 10) / 10}%`);
}

/** Evaluates an http observation. Pure: uses only its arguments. */
export function evaluateHttp(spec: HttpSpec, observation: Observation, recent: RecentValues[]): Verdict {
  if (observation.failure) return failureVerdict(observation);
  const facts = observation.facts;
  const expect = spec.expect;
  const timings = facts.timings as { totalMs?: number } | undefined;
  const responseTimeMs = Math.round(timings?.totalMs ?? observation.durationMs);
  const values: Record<string, number> = { responseTimeMs };
  const status = typeof facts.status === 'number' ? facts.status : 0;
  const judged: Judged[] = [judgeStatus(expect, status), ...judgeBody(expect, facts), ...judgeKeywords(expect, facts)];
  if (expect.responseTime) {
    const levels = { warning: parseMs(expect.responseTime.warning), critical: parseMs(expect.responseTime.critical) };
    judged.push(...judgeLevels(levels, responseTimeMs, 'responseTime', (n) => formatQuantity(n, 'duration')));
  }
  judged.push(...judgeMetrics(expect, facts, values), ...judgeHeapGrowth(expect, facts, values, recent));
  return buildVerdict(judged, values, `HTTP ${status} in ${formatQuantity(responseTimeMs, 'duration')}`);
}
