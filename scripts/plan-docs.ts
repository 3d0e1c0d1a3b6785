// Writes docs/plan.md from the plan schema (npm run docs).
import { writeFileSync } from 'node:fs';
import { checkKinds } from '../src/checks/registry.js';
import { planJsonSchema } from '../src/plan/json-schema.js';
import { renderPlanDocs } from '../src/plan/plan-docs.js';

writeFileSync(new URL('../docs/plan.md', import.meta.url), renderPlanDocs(planJsonSchema(), checkKinds));
