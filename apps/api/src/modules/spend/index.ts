// The spend module's public face: caps, reservations and their settlement (used by replies and users).
export type { Period } from './repository.ts';
export {
  type Cap,
  capOf,
  getLimits,
  type Limits,
  type LimitsInput,
  type SpendConfig,
  setAdminLimits,
  setOwnLimits,
  settleReply,
  withReservation,
  worstCaseTokens,
} from './service.ts';
