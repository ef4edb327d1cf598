// users.limits, users.setLimits and users.setUserLimits: spend caps as the user and their admin see and set them
// (the caps themselves, reservations and settlement live in the spend module).
import type { Db } from '../../shared/db/client.ts';
import { AppError } from '../../shared/lib/errors.ts';
import { getLimits, type LimitsInput, type SpendConfig, setAdminLimits, setOwnLimits } from '../spend/index.ts';
import * as repository from './repository.ts';

export interface LimitsScope {
  db: Db;
  userId: string;
  config: SpendConfig;
}

export function readLimits({ db, userId, config }: LimitsScope) {
  return getLimits(db, userId, config);
}

/** A user's own cap: they may only lower what their admin (or the configuration) allows. */
export function setLimits({ db, userId, config, input }: LimitsScope & { input: LimitsInput }) {
  return setOwnLimits(db, userId, config, input);
}

/** Admin: a user's cap (null falls back to the configured default). */
export async function setUserLimits({ db, userId, config, input }: LimitsScope & { input: LimitsInput }) {
  const target = await repository.findUser(db, userId);
  if (!target || target.deletingAt) throw new AppError('USER_NOT_FOUND');
  return setAdminLimits(db, userId, config, input);
}
