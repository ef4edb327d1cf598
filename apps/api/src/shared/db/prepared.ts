// Statements prepared once per database (no query building per request), for the hot queries.
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/** `build(db)` runs once for each database it is asked for; later calls get the same statements. */
export function perDatabase<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}

/**
 * `column DESC NULLS LAST`, the order our descending indexes are built in (drizzle-kit writes `DESC NULLS LAST`). A
 * plain `DESC` means `NULLS FIRST` to PostgreSQL, which then cannot walk the index and sorts the whole range instead:
 * a page of a 50,000-message chat took 243 ms that way, at the p99.
 */
export function descNullsLast(column: SQLWrapper): SQL {
  return sql`${column} desc nulls last`;
}
