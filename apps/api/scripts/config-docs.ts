// Writes docs/configuration.md from the config schema and .env.example (src/shared/lib/config-reference.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { configurationReference } from '../src/shared/lib/config-reference.ts';

const root = new URL('../../../', import.meta.url);
const text = configurationReference(readFileSync(new URL('.env.example', root), 'utf8'));
writeFileSync(new URL('docs/configuration.md', root), text);
process.stdout.write('wrote docs/configuration.md\n');
