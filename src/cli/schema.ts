/** `upkeep schema`: prints the JSON Schema of upkeep.yml for editors. */
import { planJsonSchema } from '../plan/json-schema.js';
import type { Command } from './command.js';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'Print the JSON Schema of upkeep.yml (for editor completion)',
  usage: '',
  options: {},
  async run(_args, ctx) {
    ctx.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
    return 0;
  },
};
