// What most parts start from: a fresh database, Parley on it (its first start applies the migrations), and
// optionally the baseline server beside it.
import { type BenchDatabase, createDatabase } from './database.ts';
import { type Product, startProduct } from './product.ts';
import { type Raw, startRaw } from './raw.ts';

export interface Stack {
  database: BenchDatabase;
  product: Product;
  raw?: Raw;
}

export async function startStack(options: { raw?: boolean; extra?: Record<string, string> } = {}): Promise<Stack> {
  const database = await createDatabase();
  const product = await startProduct({ databaseUrl: database.url, extra: options.extra });
  const raw = options.raw ? await startRaw(database.url) : undefined;
  return { database, product, raw };
}

/** Says what was started and how, before a part's lines. */
export function describeStack(stack: Stack, settings: Record<string, string> = {}): string {
  const extra = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  return [`Parley pid ${stack.product.pid} on ${stack.database.name}`, ...extra].join(', ');
}
