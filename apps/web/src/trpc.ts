// The typed API for the app: tRPC hooks over TanStack Query, typed only through @parley/shared.
import { type AppRouter, errorDataOf, MAX_BATCH_SIZE } from '@parley/shared';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import superjson from 'superjson';
import { authClient } from './auth.ts';

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/** A call refused as UNAUTHORIZED: the session ended (signed out elsewhere, revoked, expired): back to sign-in. */
function onError(error: unknown) {
  if (errorDataOf(error)?.code !== 'UNAUTHORIZED') return;
  void authClient.getSession().then((result) => {
    if (!result.data) window.location.reload();
  });
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // A refusal (not found, invalid input, signed out) is not worth asking again.
      retry: (count, error) => count < 1 && !isRefusal(error),
    },
  },
});

function isRefusal(error: unknown): boolean {
  const status = errorDataOf(error)?.httpStatus;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

const url = '/trpc';
export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url, transformer: superjson, eventSourceOptions: { withCredentials: true } }),
      false: httpBatchLink({ url, transformer: superjson, maxItems: MAX_BATCH_SIZE }),
    }),
  ],
});
