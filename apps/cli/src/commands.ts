// What each command does. main.ts declares the command line; these functions call the API and print.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { RouterInputs } from '@parley/shared';
import { apiKeyClient, normalizeServerUrl, type ParleyClient } from './client.ts';
import { configPath, removeConfig, resolveTarget, writeConfig } from './config.ts';
import { CliError } from './errors.ts';
import { followReply, type Message } from './follow.ts';
import { formatDate, printResult, table, writeErr, writeOut } from './output.ts';

/** The state one run of the CLI shares between its command line, its commands and its error report. */
export interface Session {
  json: boolean;
  env: Record<string, string | undefined>;
  /** The server URL in use, once known (error messages name it). */
  url: string | undefined;
  exitCode: number;
}

export type ProviderKind = RouterInputs['providers']['create']['kind'];
export const PROVIDER_KINDS = ['openai', 'anthropic', 'google', 'openai-compatible'] as const satisfies ProviderKind[];
// Fails to compile when the server gains a kind this list lacks.
const everyKindListed: Exclude<ProviderKind, (typeof PROVIDER_KINDS)[number]> extends never ? true : false = true;
void everyKindListed;

function toServerUrl(input: string): string {
  try {
    return normalizeServerUrl(input);
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
}

/** The API, as the saved login (or PARLEY_URL / PARLEY_API_KEY) says. */
export function connect(session: Session): ParleyClient {
  const target = resolveTarget(session.env);
  const url = toServerUrl(target.url);
  session.url = url;
  return apiKeyClient(url, target.key);
}

export async function login(session: Session, options: { url?: string; key?: string }) {
  const rawUrl = options.url ?? session.env.PARLEY_URL;
  const key = options.key ?? session.env.PARLEY_API_KEY;
  if (!rawUrl || !key) throw new CliError('login needs --url <server url> and --key <api key>', 2);
  const url = toServerUrl(rawUrl);
  session.url = url;
  const me = await apiKeyClient(url, key).users.me.query();
  const path = configPath(session.env);
  writeConfig(path, { url, key });
  printResult(session.json, { url, config: path, user: me }, () =>
    [`Logged in to ${url} as ${me.name} <${me.email}> (${me.role}).`, `Saved to ${path} (readable by you only).`].join(
      '\n',
    ),
  );
}

export function logout(session: Session) {
  const path = configPath(session.env);
  const removed = removeConfig(path);
  printResult(session.json, { removed, config: path }, () =>
    removed ? `Logged out: removed ${path}.` : `Not logged in (no ${path}).`,
  );
}

export async function whoami(session: Session) {
  const me = await connect(session).users.me.query();
  printResult(session.json, me, () => `${me.name} <${me.email}> (${me.role}) at ${session.url}`);
}

export async function listProviders(session: Session) {
  const providers = await connect(session).providers.list.query();
  printResult(session.json, providers, () =>
    providers.length === 0
      ? 'No providers yet: add one with `parley providers add --kind <kind> --name <name> …`.'
      : table(
          ['ID', 'KIND', 'NAME', 'MODEL', 'BASE URL', 'KEY'],
          providers.map((p) => [p.id, p.kind, p.name, p.defaultModel ?? '-', p.baseUrl ?? '-', p.apiKeyHint ?? '-']),
        ),
  );
}

export interface AddProviderOptions {
  kind: ProviderKind;
  name: string;
  baseUrl?: string;
  apiKey?: string;
  model?: string;
}

export async function addProvider(session: Session, options: AddProviderOptions) {
  const provider = await connect(session).providers.create.mutate({
    kind: options.kind,
    name: options.name,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.model ? { defaultModel: options.model } : {}),
  });
  // The response carries only the key's hint; the key itself is never printed back.
  printResult(session.json, provider, () =>
    [
      `Added provider ${provider.name} (${provider.id}), ${provider.kind}`,
      `  model: ${provider.defaultModel ?? '-'}  base URL: ${provider.baseUrl ?? '-'}  key: ${provider.apiKeyHint ?? '-'}`,
      `Check it with \`parley providers test ${provider.id}\`.`,
    ].join('\n'),
  );
}

export async function testProvider(session: Session, id: string) {
  const result = await connect(session).providers.test.mutate({ id });
  if (!result.ok) session.exitCode = 1;
  printResult(session.json, result, () =>
    result.ok
      ? `ok  ${result.latencyMs} ms  models: ${result.models.join(', ') || '(none listed)'}`
      : `not ok  ${result.latencyMs} ms  ${result.error ?? 'unknown error'}`,
  );
}

export async function removeProvider(session: Session, id: string) {
  const removed = await connect(session).providers.delete.mutate({ id });
  printResult(session.json, removed, () => `Removed provider ${removed.id}.`);
}

export async function listChats(session: Session, options: { limit?: number; search?: string; cursor?: string }) {
  const page = await connect(session).chat.list.query({
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.search ? { search: options.search } : {}),
    ...(options.cursor ? { cursor: options.cursor } : {}),
  });
  printResult(session.json, page, () => {
    if (page.items.length === 0) return 'No chats yet: start one with `parley chat "Hello"`.';
    const rows = page.items.map((c) => [c.id, formatDate(c.updatedAt), c.model ?? '-', c.title ?? '(untitled)']);
    const more = page.nextCursor ? `\nMore: parley chats list --cursor ${page.nextCursor}` : '';
    return `${table(['ID', 'UPDATED', 'MODEL', 'TITLE'], rows)}${more}`;
  });
}

/**
 * GET /api/export streamed to stdout as it arrives (the server streams it from a cursor): memory stays flat for any
 * account, and a full pipe pauses the download instead of buffering it.
 */
export async function exportData(session: Session) {
  const target = resolveTarget(session.env);
  const url = toServerUrl(target.url);
  session.url = url;
  const response = await fetch(`${url}/api/export`, { headers: { 'x-api-key': target.key } });
  if (!response.ok || !response.body) {
    const answer = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new CliError(`Export refused (${response.status}): ${answer?.message ?? response.statusText}`);
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), process.stdout, { end: false });
  writeOut('\n');
}

export interface ChatOptions {
  chat?: string;
  provider?: string;
  model?: string;
}

/** Ctrl-C once stops the reply (the partial text is kept); twice leaves at once. */
function stopOnInterrupt(api: ParleyClient, messageId: string): () => void {
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    writeErr('\nStopping the reply (Ctrl-C again to leave it running)…\n');
    api.chat.stop.mutate({ messageId }).catch(() => {});
  };
  process.on('SIGINT', onInterrupt);
  return () => process.off('SIGINT', onInterrupt);
}

export async function chat(session: Session, text: string, options: ChatOptions) {
  const api = connect(session);
  let chatId = options.chat;
  if (!chatId) {
    const created = await api.chat.create.mutate({
      ...(options.provider ? { providerId: options.provider } : {}),
      ...(options.model ? { model: options.model } : {}),
    });
    chatId = created.id;
    if (!session.json) writeErr(`New chat ${chatId} (continue it with --chat ${chatId})\n`);
  }
  // One request from the question to the first token (chat.sendAndStream); a dropped connection resumes the reply.
  let userMessageId = '';
  let release = () => {};
  let final: Message;
  try {
    final = await followReply(
      api,
      {
        send: {
          chatId,
          text,
          clientRequestId: randomUUID(),
          ...(options.provider ? { providerId: options.provider } : {}),
          ...(options.model ? { model: options.model } : {}),
        },
        onStarted: (sent) => {
          userMessageId = sent.userMessage.id;
          release();
          release = stopOnInterrupt(api, sent.assistantMessage.id);
        },
      },
      {
        onText: (delta) => {
          if (!session.json) writeOut(delta);
        },
        onRetry: (attempt) => {
          if (!session.json) writeErr(`\n[connection lost; resuming (attempt ${attempt})]\n`);
        },
      },
    );
  } finally {
    release();
  }
  reportFinal(session, chatId, userMessageId, final);
}

function reportFinal(session: Session, chatId: string, userMessageId: string, final: Message) {
  if (final.status === 'error') session.exitCode = 1;
  if (session.json) {
    writeOut(`${JSON.stringify({ chatId, userMessageId, message: final }, null, 2)}\n`);
    return;
  }
  writeOut('\n');
  if (final.status === 'error') writeErr(`Error: the reply failed: ${final.error ?? 'unknown reason'}\n`);
  else if (final.status === 'stopped') writeErr('(stopped)\n');
}
