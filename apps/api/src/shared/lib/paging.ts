// The paging kit every list uses: the page input (cursor, limit), the page output (items, nextCursor), cursor kinds
// (what a list's cursor holds, checked when it comes back) and the one helper that turns fetched rows into a page.
// test/paging.test.ts walks the router: a procedure answering nextCursor must use these schemas, and no other file
// signs cursors or writes nextCursor itself. The page shape, Page<T>, is @parley/shared's: one type for server and clients.
import type { Page } from '@parley/shared/paging';
import { z } from 'zod';
import { invalidCursor, openCursor, signCursor } from './cursor.ts';
import { badString, dateInRange } from './input-policy.ts';

/** limit: 1 to 100 rows, 20 by default. */
export const PAGE_LIMIT = { min: 1, max: 100, default: 20 } as const;

/** What the documentation says of every paged list (the OpenAPI descriptions end with it). */
export const PAGING_DOC = `Keyset pages: limit ${PAGE_LIMIT.min} to ${PAGE_LIMIT.max} (default ${PAGE_LIMIT.default}); pass nextCursor back as cursor (null on the last page).`;

/** The page size a list input takes (shared by every list: the kit's own instance, checked by identity). */
export const PageLimit = z
  .number()
  .int()
  .min(PAGE_LIMIT.min)
  .max(PAGE_LIMIT.max)
  .default(PAGE_LIMIT.default)
  .meta({ description: `Rows per page, ${PAGE_LIMIT.min} to ${PAGE_LIMIT.max} (default ${PAGE_LIMIT.default}).` });

/** The cursor a list input takes: absent for the first page, then the previous page's nextCursor. */
export const PageCursor = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: "Absent for the first page; then the previous page's nextCursor, as it was given." })
  .optional();

const NextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass it back as cursor for the next page; null on the last page.' });

const pageInputs = new WeakSet<z.ZodType>();
const pageOutputs = new WeakSet<z.ZodType>();

/** A list's input: its own fields (a chat id, a search) and the kit's cursor and limit. */
export function pageInput<S extends z.ZodRawShape>(shape: S) {
  const schema = z.object({ ...shape, cursor: PageCursor, limit: PageLimit });
  pageInputs.add(schema);
  return schema;
}

/** A list's output: `{ items, nextCursor }`, nextCursor null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  const schema = z.object({ items: z.array(item), nextCursor: NextCursor });
  pageOutputs.add(schema);
  return schema;
}

/** Whether a schema was made by pageInput / pageOf (the router test checks every list's by identity). */
export const isPageInput = (schema: unknown): boolean => pageInputs.has(schema as z.ZodType);
export const isPageOutput = (schema: unknown): boolean => pageOutputs.has(schema as z.ZodType);

/** A list's cursor: what it holds, checked on the way back in; a cursor of one kind is refused by every other. */
export interface CursorKind<T> {
  readonly name: string;
  encode(value: T): string;
  /** The value, or INVALID_CURSOR (400, field `cursor`): forged, altered, another list's, or an odd value. */
  decode(cursor: string): T;
  decode(cursor: string | undefined): T | undefined;
}

const kindNames = new Set<string>();

/**
 * Declares a list's cursor kind: a name of its own (it goes into the cursor's MAC) and a Zod schema for the value,
 * checked on decode so a value that would reach a query oddly (a year PostgreSQL refuses, a NUL) is a 400, not a 500.
 */
export function cursorKind<S extends z.ZodType<object>>(name: string, schema: S): CursorKind<z.output<S>> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`cursor kind name "${name}" must be lowercase, no dots`);
  if (kindNames.has(name)) throw new Error(`cursor kind "${name}" is declared twice`);
  kindNames.add(name);
  function decode(cursor: string): z.output<S>;
  function decode(cursor: string | undefined): z.output<S> | undefined;
  function decode(cursor: string | undefined): z.output<S> | undefined {
    if (cursor === undefined) return undefined;
    const parsed = schema.safeParse(openCursor(name, cursor));
    if (!parsed.success) throw invalidCursor();
    return parsed.data;
  }
  return { name, encode: (value) => signCursor(name, value), decode };
}

/** How many rows a list fetches for a page: one more than it shows, to know whether another page follows. */
export const fetchSize = (limit: number): number => limit + 1;

/**
 * A page from the rows a list fetched (`fetchSize(limit)` of them, in page order): the first `limit`, and a cursor
 * from the last of those when more rows were there; null on the last page.
 */
export function toPage<R>(rows: readonly R[], limit: number, cursorOf: (last: R) => string): Page<R> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** An id as this server writes them: short, printable, no NUL (a forged one would otherwise reach PostgreSQL). */
export const CursorId = z
  .string()
  .min(1)
  .max(64)
  .refine((v) => !badString(v));

/** A timestamp this server wrote (toISOString), inside the range PostgreSQL stores. */
export const CursorTimestamp = z
  .string()
  .max(30)
  .refine((v) => {
    const ms = Date.parse(v);
    return !Number.isNaN(ms) && dateInRange(new Date(ms));
  });

/** A cursor value over (timestamp, id): rows with equal timestamps still page in a stable order. */
export const TimeIdValue = z.object({ t: CursorTimestamp, id: CursorId });
