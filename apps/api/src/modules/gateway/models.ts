// Model ids of the gateway: `<provider>/<model>`, the provider named by its name (unique per user) or its id. A model
// id may itself hold slashes (`openrouter/meta-llama/llama-3.1-8b`): the provider is the longest name or id that
// prefixes it. A provider named alone means its default model.

import type { Db } from '../../shared/db/client.ts';
import type { Keyring } from '../../shared/lib/keyring.ts';
import { KINDS, loadTarget, type Outbound, type ProviderRow } from '../providers/index.ts';

export interface Resolved {
  row: ProviderRow;
  model: string;
}

export function resolveModel(rows: ProviderRow[], requested: string): Resolved | null {
  let best: Resolved | null = null;
  let bestLength = -1;
  for (const row of rows) {
    for (const name of row.name === row.id ? [row.id] : [row.id, row.name]) {
      if (requested === name && row.defaultModel && name.length > bestLength) {
        best = { row, model: row.defaultModel };
        bestLength = name.length;
      } else if (requested.startsWith(`${name}/`) && requested.length > name.length + 1 && name.length > bestLength) {
        best = { row, model: requested.slice(name.length + 1) };
        bestLength = name.length;
      }
    }
  }
  return best;
}

export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const LIST_TTL_MS = 60_000;
const LIST_TIMEOUT_MS = 5_000;
const MAX_CACHED = 1_000;
/** A provider's model list, kept a minute (keyed by the row's id and last change). */
const cache = new Map<string, { at: number; models: Promise<string[]> }>();

export interface ListOptions {
  db: Db;
  userId: string;
  rows: ProviderRow[];
  keyring: Keyring;
  outbound: Outbound;
}

/**
 * Every model of every provider, `<provider name>/<model>`: the provider's own list when it answers within 5 s,
 * else its default model. Each list is kept for a minute.
 */
export async function listModels({ db, userId, rows, keyring, outbound }: ListOptions): Promise<ModelEntry[]> {
  const lists = await Promise.all(
    rows.map(async (row) => {
      const models = await providerModels(db, userId, row, keyring, outbound).catch((): string[] => []);
      const all = row.defaultModel && !models.includes(row.defaultModel) ? [row.defaultModel, ...models] : models;
      const created = Math.floor(row.createdAt.getTime() / 1000);
      return all.map(
        (model): ModelEntry => ({ id: `${row.name}/${model}`, object: 'model', created, owned_by: row.name }),
      );
    }),
  );
  return lists.flat();
}

function providerModels(db: Db, userId: string, row: ProviderRow, keyring: Keyring, outbound: Outbound) {
  const key = `${row.id}\0${row.updatedAt.getTime()}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && now - hit.at < LIST_TTL_MS) return hit.models;
  if (cache.size >= MAX_CACHED) cache.clear();
  const models = fetchModels(db, userId, row, keyring, outbound);
  models.catch(() => cache.delete(key));
  cache.set(key, { at: now, models });
  return models;
}

async function fetchModels(db: Db, userId: string, row: ProviderRow, keyring: Keyring, outbound: Outbound) {
  const { target } = await loadTarget(db, keyring, userId, row.id);
  const kind = KINDS[target.kind];
  const { url, headers } = kind.modelsRequest(target);
  const response = await outbound.fetch(url, {
    headers,
    signal: AbortSignal.timeout(Math.min(outbound.timeoutMs, LIST_TIMEOUT_MS)),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`model list: HTTP ${response.status}`);
  }
  return kind.parseModels(await response.json()).sort();
}
