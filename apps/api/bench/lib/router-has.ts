// Whether the chat router defines a procedure now (chat.sendAndStream is being added while this bench exists).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_DIR } from './processes.ts';

export function chatRouterHas(procedure: string): boolean {
  const source = readFileSync(join(API_DIR, 'src', 'modules', 'chat', 'router.ts'), 'utf8');
  return new RegExp(`\\b${procedure}\\s*:`).test(source);
}
