// What clients import: the router's types, and nothing that runs on the server.

import type { AppRouter } from '@parley/api/router';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The largest batch the server accepts by default; give a client's batch link `maxItems` no larger than this. */
export const MAX_BATCH_SIZE = 20;
export * from './paging.ts';
