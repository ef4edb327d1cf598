// Each user's AI providers: create, change, remove, and call them (test, list models) with the key decrypted only
// for the call.
import { randomUUID } from 'node:crypto';
import type { LanguageModel } from 'ai';
import type { Db } from '../../shared/db/client.ts';
import { isUniqueViolation } from '../../shared/db/errors.ts';
import { SecretDecryptionError } from '../../shared/lib/encryption.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { Keyring } from '../../shared/lib/keyring.ts';
import {
  createGuardedFetch,
  type FetchFunction,
  type OutboundPolicy,
  resolvedHostProblem,
  urlProblem,
} from '../../shared/lib/outbound.ts';
import {
  type ConnectionReport,
  describeGenerationError,
  listModels,
  ProviderCallError,
  testConnection,
} from './client.ts';
import { decryptApiKey, encryptApiKey, NO_KEY } from './keys.ts';
import { KINDS, PROVIDER_KINDS, type ProviderTarget } from './kinds.ts';
import * as repository from './repository.ts';
import type { CreateProviderInput, UpdateProviderInput } from './schema.ts';

export interface Outbound {
  fetch: FetchFunction;
  policy: OutboundPolicy;
  timeoutMs: number;
  /** The AI SDK model for a provider (tests put the AI SDK's mock model here). */
  languageModel(target: ProviderTarget, modelId: string): LanguageModel;
}

/** How the server calls providers: through the guarded fetch, with the kind's AI SDK provider. */
export function createOutbound(policy: OutboundPolicy, timeoutMs: number): Outbound {
  const fetch = createGuardedFetch(policy);
  return {
    fetch,
    policy,
    timeoutMs,
    languageModel: (target, modelId) => KINDS[target.kind].languageModel(target, modelId, fetch),
  };
}

export interface ProviderScope {
  db: Db;
  userId: string;
}

/** What a client may see of a provider: everything but the key, which shows only as its hint. */
export function toProvider(row: repository.ProviderRow) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    baseUrl: row.baseUrl,
    defaultModel: row.defaultModel,
    apiKeyHint: row.apiKeyHint,
    prices: row.prices,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type Provider = ReturnType<typeof toProvider>;

export function listKinds() {
  return PROVIDER_KINDS.map((kind) => {
    const { label, needsApiKey, needsBaseUrl, suggestedModels } = KINDS[kind];
    return { kind, label, needsApiKey, needsBaseUrl, suggestedModels };
  });
}

export async function listProviders({ db, userId }: ProviderScope): Promise<Provider[]> {
  return (await repository.findProviders(db, userId)).map(toProvider);
}

async function findOwnProvider(db: Db, userId: string, id: string): Promise<repository.ProviderRow> {
  const row = await repository.findProvider(db, userId, id);
  // Another user's provider reads exactly like one that does not exist.
  if (!row) throw new AppError('PROVIDER_NOT_FOUND');
  return row;
}

export async function getProvider({ db, userId, id }: ProviderScope & { id: string }): Promise<Provider> {
  return toProvider(await findOwnProvider(db, userId, id));
}

async function checkBaseUrl(baseUrl: string | null | undefined, policy: OutboundPolicy): Promise<void> {
  if (!baseUrl) return;
  const problem = urlProblem(baseUrl, policy) ?? (await resolvedHostProblem(baseUrl, policy));
  if (problem) throw new AppError('VALIDATION_FAILED', `baseUrl ${problem}`, { field: 'baseUrl' });
}

function checkRequirements(kind: repository.ProviderRow['kind'], apiKey: unknown, baseUrl: unknown): void {
  const definition = KINDS[kind];
  if (definition.needsApiKey && !apiKey) {
    throw new AppError('VALIDATION_FAILED', `apiKey is required for ${definition.label}`, { field: 'apiKey' });
  }
  if (definition.needsBaseUrl && !baseUrl) {
    throw new AppError('VALIDATION_FAILED', `baseUrl is required for ${definition.label}`, { field: 'baseUrl' });
  }
}

function nameTaken(error: unknown): never {
  if (isUniqueViolation(error)) throw new AppError('PROVIDER_NAME_TAKEN', undefined, { field: 'name', cause: error });
  throw error;
}

export interface CreateProviderOptions extends ProviderScope {
  keyring: Keyring;
  policy: OutboundPolicy;
  input: CreateProviderInput;
}

export async function createProvider({ db, userId, keyring, policy, input }: CreateProviderOptions) {
  checkRequirements(input.kind, input.apiKey, input.baseUrl);
  await checkBaseUrl(input.baseUrl, policy);
  const id = randomUUID();
  const row = await repository
    .insertProvider(db, {
      id,
      userId,
      kind: input.kind,
      name: input.name,
      baseUrl: input.baseUrl ?? null,
      defaultModel: input.defaultModel ?? null,
      prices: input.prices ?? [],
      ...(input.apiKey ? encryptApiKey(keyring, userId, id, input.apiKey) : NO_KEY),
    })
    .catch(nameTaken);
  await repository.claimDefault(db, userId, row.id);
  return toProvider(row);
}

export interface UpdateProviderOptions extends ProviderScope {
  keyring: Keyring;
  policy: OutboundPolicy;
  input: UpdateProviderInput;
}

export async function updateProvider({ db, userId, keyring, policy, input }: UpdateProviderOptions) {
  const existing = await findOwnProvider(db, userId, input.id);
  const nextKey = input.apiKey === undefined ? existing.keyCiphertext : input.apiKey;
  const nextBaseUrl = input.baseUrl === undefined ? existing.baseUrl : input.baseUrl;
  checkRequirements(existing.kind, nextKey, nextBaseUrl);
  await checkBaseUrl(input.baseUrl, policy);
  const patch: repository.ProviderPatch = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
    ...(input.defaultModel !== undefined ? { defaultModel: input.defaultModel } : {}),
    ...(input.prices !== undefined ? { prices: input.prices } : {}),
    ...(input.apiKey === null ? NO_KEY : {}),
    ...(typeof input.apiKey === 'string' ? encryptApiKey(keyring, userId, existing.id, input.apiKey) : {}),
  };
  const row = await repository.updateProvider(db, userId, existing.id, patch).catch(nameTaken);
  if (!row) throw new AppError('PROVIDER_NOT_FOUND');
  return toProvider(row);
}

/** Deleting the default provider makes the oldest remaining one the default, or leaves none. */
export async function deleteProvider({ db, userId, id }: ProviderScope & { id: string }) {
  if (!(await repository.deleteProvider(db, userId, id))) throw new AppError('PROVIDER_NOT_FOUND');
  return { id };
}

export interface ProviderCallOptions extends ProviderScope {
  id: string;
  keyring: Keyring;
  outbound: Outbound;
}

/** The provider ready to call, its key decrypted. A key that does not decrypt is an internal error, loudly. */
export async function loadTarget(db: Db, keyring: Keyring, userId: string, id: string) {
  const row = await findOwnProvider(db, userId, id);
  return { row, target: targetOf(keyring, row) };
}

/** Where and how to call a provider: its kind, base URL and decrypted key (decrypted here, for this call only). */
function targetOf(keyring: Keyring, row: repository.ProviderRow): ProviderTarget {
  let apiKey: string | undefined;
  try {
    apiKey = decryptApiKey(keyring, row);
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
    throw new AppError('INTERNAL', `the API key of provider ${row.id} could not be decrypted: ${error.message}`, {
      cause: error,
    });
  }
  return { kind: row.kind, baseUrl: (row.baseUrl ?? KINDS[row.kind].defaultBaseUrl) as string, apiKey };
}

export async function testProvider({
  db,
  userId,
  id,
  keyring,
  outbound,
}: ProviderCallOptions): Promise<ConnectionReport> {
  const { row, target } = await loadTarget(db, keyring, userId, id);
  return testConnection(target, row.defaultModel, outbound);
}

export async function listProviderModels({ db, userId, id, keyring, outbound }: ProviderCallOptions) {
  const { target } = await loadTarget(db, keyring, userId, id);
  try {
    return { models: await listModels(target, outbound) };
  } catch (error) {
    if (error instanceof ProviderCallError) throw new AppError('PROVIDER_UNREACHABLE', error.message, { cause: error });
    throw error;
  }
}

export interface OpenModelOfOptions {
  /** The provider's row, already read and known to be the user's (the reply lifecycle reads it with the chat). */
  row: repository.ProviderRow;
  model: string | null | undefined;
  keyring: Keyring;
  outbound: Outbound;
}

/** A provider's language model for a row already in hand and known to be the user's, ready for a generation. */
export function openModelOf({ row, model, keyring, outbound }: OpenModelOfOptions) {
  const target = targetOf(keyring, row);
  const modelId = model ?? row.defaultModel;
  if (!modelId) {
    throw new AppError('NO_PROVIDER', `Choose a model: provider "${row.name}" has no default model`, {
      field: 'model',
    });
  }
  return {
    providerId: row.id,
    modelId,
    model: outbound.languageModel(target, modelId),
    describeError: (error: unknown, partialText: string) => describeGenerationError(error, target, partialText),
  };
}

export type OpenedModel = ReturnType<typeof openModelOf>;
