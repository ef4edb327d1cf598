// The sidebar: new chat, search by title, and every chat grouped by date, loaded page by page as it scrolls.
import { nextPageParam } from '@parley/shared';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Plus, Search } from 'lucide-react';
import { useDeferredValue, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useTRPC } from '../trpc.ts';
import { Button } from '../ui/Button.tsx';
import { ChatItem } from './ChatItem.tsx';
import { groupByDate } from './dateGroups.ts';
import { usePendingDeletes } from './pendingDeletes.ts';

export function Sidebar({ onNavigate }: { onNavigate?: () => void }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search.trim());
  const providers = useQuery(trpc.providers.list.queryOptions());
  const chats = useInfiniteQuery(
    trpc.chat.list.infiniteQueryOptions({ limit: 30, search: query || undefined }, { getNextPageParam: nextPageParam }),
  );
  const hidden = usePendingDeletes();
  const items = (chats.data?.pages.flatMap((p) => p.items) ?? []).filter((c) => !hidden.has(c.id));
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = chats;

  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  return (
    <nav aria-label="Chats" className="flex min-h-0 flex-1 flex-col gap-3">
      <Button
        variant="secondary"
        className="justify-start"
        onClick={() => {
          void navigate('/');
          onNavigate?.();
        }}
      >
        <Plus size={16} aria-hidden /> New chat
      </Button>
      <div className="relative">
        <Search
          size={14}
          className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-muted"
          aria-hidden
        />
        <label htmlFor="chat-search" className="sr-only">
          Search chats
        </label>
        <input
          id="chat-search"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Search chats"
          className="w-full rounded-lg border border-border bg-raised py-1.5 pr-2 pl-8 text-sm placeholder:text-muted"
        />
      </div>
      {providers.data?.length === 0 && (
        <div className="rounded-lg border border-border bg-raised p-3 text-sm">
          <p className="font-medium">No AI provider yet</p>
          <p className="mt-1 text-muted">Add one to start chatting.</p>
          <Link
            to="/settings/providers"
            onClick={onNavigate}
            className="mt-2 inline-block font-medium text-accent underline"
          >
            Add a provider
          </Link>
        </div>
      )}
      <div className="-mx-1 min-h-0 flex-1 overflow-y-auto px-1" data-testid="chat-list">
        {groupByDate(items).map((group) => (
          <section key={group.label} className="mb-3">
            <h2 className="px-2 pb-1 text-xs font-medium text-muted">{group.label}</h2>
            <ul className="flex flex-col">
              {group.items.map((chat) => (
                <ChatItem key={chat.id} chat={chat} onNavigate={onNavigate} />
              ))}
            </ul>
          </section>
        ))}
        {chats.isSuccess && items.length === 0 && (
          <p className="px-2 text-sm text-muted">{query ? 'No chat has that in its title.' : 'No chats yet.'}</p>
        )}
        {hasNextPage && (
          <div ref={sentinel} className="flex justify-center py-2">
            <Button size="sm" variant="ghost" onClick={() => fetchNextPage()} disabled={isFetchingNextPage}>
              {isFetchingNextPage ? 'Loading…' : 'Load more chats'}
            </Button>
          </div>
        )}
      </div>
    </nav>
  );
}
