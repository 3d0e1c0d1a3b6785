/** Threshold rules such as `> 5%`, `<= 200ms`, `!= 0`, or a bare `500ms` (meaning "above 500ms fails"). */
import { type Dimension, formatQuantity, parseQuantity } from './quantity.js';

export type Comparator = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** A parsed rule: the condition that counts as a FAILURE when it holds for the observed value. */
export interface Threshold {
  op: Comparator;
  value: number;
  dimension: Dimension;
  /** The rule as written, for messages. */
  text: string;
}

const RULE_RE = /^\s*(>=|<=|==|!=|>|<|=)?\s*(.+?)\s*$/;

/** Parses `"> 5%"` or `500ms` (a bare quantity means `>`); undefined when it is not a rule. */
export function parseThreshold(input: unknown): Threshold | undefined {
  if (typeof input === 'number') return parseThreshold(String(input));
  if (typeof input !== 'string') return undefined;
  const match = RULE_RE.exec(input);
  if (!match) return undefined;
  const quantity = parseQuantity(match[2]);
  if (!quantity) return undefined;
  const op = (match[1] === '=' ? '==' : (match[1] ?? '>')) as Comparator;
  return { op, value: quantity.value, dimension: quantity.dimension, text: `${op} ${match[2]}` };
}

/** True when `actual` meets the failure rule (e.g. 7 meets `> 5`). */
export function breaches(actual: number, rule: Threshold): boolean {
  switch (rule.op) {
    case '>':
      return actual > rule.value;
    case '>=':
      return actual >= rule.value;
    case '<':
      return actual < rule.value;
    case '<=':
      return actual <= rule.value;
    case '==':
      return actual === rule.value;
    case '!=':
      return actual !== rule.value;
  }
}

const NEGATION: Record<Comparator, Comparator> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>', '==': '!=', '!=': '==' };

/** The passing condition for display: a failure rule `> 5%` reads `path <= 5%`. */
export function describePass(subject: string, rule: Threshold): string {
  return `${subject} ${NEGATION[rule.op]} ${formatQuantity(rule.value, rule.dimension)}`;
}

/** Zod-friendly validator message for a bad rule, listing the accepted forms. */
export const THRESHOLD_HINT = 'expected a rule such as "> 5%", ">= 200ms", "< 10", or a bare quantity like "45MB"';
