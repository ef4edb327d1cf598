// The providers module's public face.
export { KINDS, type ProviderKind, type ProviderTarget } from './kinds.ts';
export { rotateProviderKeys } from './rotation.ts';
export { providersRouter } from './router.ts';
export type { ProviderRow } from './repository.ts';
export { ProviderSchema } from './schema.ts';
export {
  createOutbound,
  getProvider,
  listProviders,
  loadTarget,
  type Outbound,
  type OpenedModel,
  openModel,
  openModelOf,
  type Provider,
} from './service.ts';
