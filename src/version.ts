/** upkeep's version, read from its package.json. */
import { readFileSync } from 'node:fs';
import { packageFile } from './package-root.js';

export const VERSION: string = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')).version;
