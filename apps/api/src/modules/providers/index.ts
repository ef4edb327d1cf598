// The providers module's public face.
export { KINDS, loadProviderSdks, type ProviderKind, type ProviderTarget } from './kinds.ts';
export type { ProviderRow } from './repository.ts';
export { rotateProviderKeys } from './rotation.ts';
export { providersRouter } from './router.ts';
export { ProviderSchema } from './schema.ts';
export {
  createOutbound,
  getProvider,
  listProviders,
  loadTarget,
  type OpenedModel,
  type Outbound,
  openModelOf,
  type Provider,
} from './service.ts';
