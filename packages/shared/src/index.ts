// What clients import: the router's types, the error contract, the limits and the provider kinds, and nothing
// that runs on the server.

import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
// By path, types only: @parley/api depends on this package (its pure-data subpaths), not the other way round.
import type { AppRouter } from '../../../apps/api/src/router.ts';

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export * from './errors.ts';
export * from './limits.ts';
export * from './paging.ts';
export * from './provider-kinds.ts';
