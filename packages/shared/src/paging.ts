// The page every paged list answers (chat.list, chat.messages, chat.history, users.list). The server builds it with
// its paging kit (apps/api/src/shared/lib/paging.ts, whose Page<T> a test keeps equal to this one); clients follow
// nextCursor with these helpers.

/** One page of a list: its rows, and the cursor of the next page (pass it back as `cursor`); null on the last. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The row type of a page type, e.g. PageItem<RouterOutputs['chat']['list']>. */
export type PageItem<P> = P extends Page<infer T> ? T : never;

/** For TanStack Query's getNextPageParam: the next page's cursor, undefined after the last page. */
export const nextPageParam = (page: Page<unknown>): string | undefined => page.nextCursor ?? undefined;

/** Every row of a list, page after page: `fetchPage` gets undefined for the first page, then each nextCursor. */
export async function* everyRow<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Every row of a list as one page (nextCursor null): what `everyRow` yields, gathered. */
export async function wholeList<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<Page<T>> {
  const items: T[] = [];
  for await (const row of everyRow(fetchPage)) items.push(row);
  return { items, nextCursor: null };
}
