// Statements prepared once per database (no query building per request), for the hot queries.
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
