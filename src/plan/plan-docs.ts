/**
 * Renders the plan reference (docs/plan.md) from the JSON Schema, which is built from the same zod schemas the
 * loader validates with: the docs cannot drift from what upkeep accepts.
 */

interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  examples?: unknown[];
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  allOf?: Node[];
  required?: string[];
}

interface Row {
  key: string;
  type: string;
  description: string;
}

/** The whole reference as Markdown. */
export function renderPlanDocs(schema: object, kinds: readonly { name: string; description: string }[]): string {
  const root = schema as Node;
  const app = (root.properties?.apps?.additionalProperties ?? {}) as Node;
  const check = app.properties?.checks?.additionalProperties as Node | undefined;
  const variants = check?.anyOf ?? check?.oneOf ?? [];
  const out: string[] = [
    '# upkeep.yml reference',
    '',
    '<!-- Generated from the plan schema by `npm run docs`; a test fails when it is out of date. -->',
    '',
    'Durations: `250ms 30s 5m 2h 1d 90d`. Schedules: `every 5m`, `hourly`, `daily 02:00`, `weekly mon 03:00`,',
    '`monthly 1 04:00`, `quarterly`, or a 5/6-field cron expression, read in the plan `timezone`. `${VAR}` reads',
    'the environment (`${VAR:-default}`; `$${` for a literal `${`). `<name>` stands for a name you choose',
    '(letters, digits, `.`, `_`, `-`).',
    '',
    '## Top level',
    '',
    ...table(rows(root, '', 1)),
    '',
    '## Apps: `apps.<name>`',
    '',
    ...table(rows(app, '', 3).filter((r) => !r.key.startsWith('checks.'))),
  ];
  for (const [i, kind] of kinds.entries()) {
    const variant = variants[i];
    if (!variant) continue;
    out.push('', `## Check kind \`${kind.name}\`: \`apps.<name>.checks.<name>\``, '', kind.description, '');
    out.push(...table(rows(flatten(variant), '', 3)));
  }
  return `${out.join('\n')}\n`;
}

function flatten(node: Node): Node {
  if (!node.allOf) return node;
  const properties: Record<string, Node> = {};
  for (const part of node.allOf) Object.assign(properties, flatten(part).properties);
  return { ...node, properties };
}

function rows(node: Node, prefix: string, depth: number): Row[] {
  const out: Row[] = [];
  for (const [key, child] of Object.entries(flatten(node).properties ?? {})) {
    const path = `${prefix}${key}`;
    out.push({ key: path, type: typeOf(child), description: describe(child) });
    if (depth <= 1) continue;
    const object = objectPart(child);
    if (object?.properties) out.push(...rows(object, `${path}.`, depth - 1));
    else if (object && typeof object.additionalProperties === 'object' && object.additionalProperties.properties) {
      out.push(...rows(object.additionalProperties, `${path}.<name>.`, depth - 1));
    }
  }
  return out;
}

function objectPart(node: Node): Node | undefined {
  if (node.type === 'object') return flatten(node);
  if (node.type === 'array' && node.items) return objectPart(node.items);
  return (node.anyOf ?? []).map(objectPart).find((n) => n?.properties);
}

function typeOf(node: Node): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(' \\| ');
  const options = node.anyOf ?? node.oneOf;
  if (options) return [...new Set(options.map(typeOf))].join(' \\| ');
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'any'}`;
  if (node.type === 'object' && node.additionalProperties && !node.properties) return 'map';
  return Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
}

function describe(node: Node): string {
  const text = (node.description ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');
  const example = node.examples?.length ? ` e.g. ${node.examples.map((e) => `\`${String(e)}\``).join(', ')}` : '';
  return `${text}${example}`;
}

function table(list: Row[]): string[] {
  return [
    '| key | type | meaning |',
    '| --- | --- | --- |',
    ...list.map((r) => `| \`${r.key}\` | ${r.type} | ${r.description} |`),
  ];
}
