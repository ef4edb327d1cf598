// What each command does. main.ts declares the command line; these functions call the API and print.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { PROVIDER_KINDS, type ProviderKind, wholeList } from '@parley/shared';
import { apiKeyClient, normalizeServerUrl, type ParleyClient } from './client.ts';
import { configPath, readConfig, removeConfig, resolveTarget, writeConfig } from './config.ts';
import { CliError, EXIT, exitCodeForStatus } from './errors.ts';
import { followReply, type Message } from './follow.ts';
import { readSecret, readStdin, stdinIsTerminal, withoutFinalNewline } from './input.ts';
import { formatDate, paint, printResult, table, writeErr, writeOut } from './output.ts';

/** The state one run of the CLI shares between its command line, its commands and its error report. */
export interface Session {
  json: boolean;
  env: Record<string, string | undefined>;
  /** The server URL in use, once known (error messages name it). */
  url: string | undefined;
  exitCode: number;
}

export { PROVIDER_KINDS, type ProviderKind };

function toServerUrl(input: string): string {
  try {
    return normalizeServerUrl(input);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.USAGE);
  }
}

/** The API, as the saved login (or PARLEY_URL / PARLEY_API_KEY) says. */
export function connect(session: Session): ParleyClient {
  const target = resolveTarget(session.env);
  const url = toServerUrl(target.url);
  session.url = url;
  return apiKeyClient(url, target.key);
}

/**
 * Checks a key against the server and saves both. The key comes from PARLEY_API_KEY, else a prompt that does not
 * echo it (on a terminal), else stdin (`parley login --url … < key.txt`); never from the command line.
 */
export async function login(session: Session, options: { url?: string }) {
  const rawUrl = options.url ?? session.env.PARLEY_URL ?? readConfig(configPath(session.env)).url;
  if (!rawUrl) throw new CliError('login needs the server: parley login --url <server url>', EXIT.USAGE);
  const url = toServerUrl(rawUrl);
  session.url = url;
  const key = session.env.PARLEY_API_KEY || (await readSecret(`API key for ${url} (input hidden): `, 'API key'));
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
  const api = connect(session);
  const [providers, me] = await Promise.all([api.providers.list.query(), api.users.me.query()]);
  const defaultId = me.preferences.defaultProviderId;
  printResult(session.json, providers, () =>
    providers.length === 0
      ? 'No providers yet: add one with `parley providers add --kind <kind> --name <name> …`.'
      : table(
          ['ID', 'KIND', 'NAME', 'MODEL', 'BASE URL', 'KEY', 'DEFAULT'],
          providers.map((p) => [
            p.id,
            p.kind,
            p.name,
            p.defaultModel ?? '-',
            p.baseUrl ?? '-',
            p.apiKeyHint ?? '-',
            p.id === defaultId ? 'yes' : '',
          ]),
        ),
  );
}

/** The provider chats use when they name none (the first provider added is the default until this is used). */
export async function setDefaultProvider(session: Session, id: string, options: { model?: string }) {
  const api = connect(session);
  const provider = await api.providers.get.query({ id });
  const preferences = await api.users.updatePreferences.mutate({
    defaultProviderId: provider.id,
    defaultModel: options.model ?? null,
  });
  printResult(
    session.json,
    preferences,
    () =>
      `Default provider: ${provider.name} (${provider.id}), model ${preferences.defaultModel ?? provider.defaultModel ?? '-'}.`,
  );
}

/** The models each provider offers (asked of the provider itself; one that does not answer is reported, not fatal). */
export async function listModels(session: Session) {
  const api = connect(session);
  const [providers, me] = await Promise.all([api.providers.list.query(), api.users.me.query()]);
  const results = await Promise.all(
    providers.map(async (p) => {
      try {
        const { models } = await api.providers.models.query({ id: p.id });
        return { providerId: p.id, provider: p.name, defaultModel: p.defaultModel, models, error: null };
      } catch (error) {
        return {
          providerId: p.id,
          provider: p.name,
          defaultModel: p.defaultModel,
          models: [],
          error: String((error as Error).message),
        };
      }
    }),
  );
  if (results.some((r) => r.error)) session.exitCode = 1;
  const defaultId = me.preferences.defaultProviderId;
  printResult(session.json, results, () => {
    if (results.length === 0) return 'No providers yet: add one with `parley providers add …`.';
    return results
      .map((r) => {
        const head = `${r.provider} (${r.providerId})${r.providerId === defaultId ? ' [default]' : ''}`;
        if (r.error) return `${head}\n  could not list models: ${r.error}`;
        const models = r.models.map((m) => `  ${m}${m === r.defaultModel ? '  (default model)' : ''}`);
        return [head, ...(models.length > 0 ? models : ['  (none listed)'])].join('\n');
      })
      .join('\n');
  });
}

export interface AddProviderOptions {
  kind: ProviderKind;
  name: string;
  baseUrl?: string;
  apiKey?: string;
  model?: string;
}

export async function addProvider(session: Session, options: AddProviderOptions) {
  const api = connect(session);
  // `--api-key -`: from a hidden prompt or stdin, kept out of the shell's history and pnpm's echo.
  const apiKey =
    options.apiKey === '-' ? await readSecret('Provider API key (input hidden): ', 'provider API key') : options.apiKey;
  const provider = await api.providers.create.mutate({
    kind: options.kind,
    name: options.name,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
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
      ? `${paint.out.green('ok')}  ${result.latencyMs} ms  models: ${result.models.join(', ') || '(none listed)'}`
      : `${paint.out.red('not ok')}  ${result.latencyMs} ms  ${result.error ?? 'unknown error'}`,
  );
}

export async function removeProvider(session: Session, id: string) {
  const removed = await connect(session).providers.delete.mutate({ id });
  printResult(session.json, removed, () => `Removed provider ${removed.id}.`);
}

export async function listChats(
  session: Session,
  options: { limit?: number; search?: string; cursor?: string; all?: boolean },
) {
  const api = connect(session);
  const pageAt = (cursor: string | undefined) =>
    api.chat.list.query({
      ...(options.limit ? { limit: options.limit } : {}),
      ...(options.search ? { search: options.search } : {}),
      ...(cursor ? { cursor } : {}),
    });
  // --all: every page, `--limit` rows per request, from `--cursor` when given.
  const page = options.all
    ? await wholeList((cursor) => pageAt(cursor ?? options.cursor))
    : await pageAt(options.cursor);
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
    throw new CliError(
      `Export refused (${response.status}): ${answer?.message ?? response.statusText}`,
      exitCodeForStatus(response.status),
    );
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), process.stdout, { end: false });
  writeOut('\n');
}

export type ImportFormat = 'chatgpt' | 'parley';

/** The format a file is in, from its first character: ChatGPT's export is an array, Parley's an object. */
async function sniffFormat(file: string): Promise<ImportFormat> {
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    const first = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()[0];
    if (first === '[') return 'chatgpt';
    if (first === '{') return 'parley';
  } finally {
    await handle.close();
  }
  throw new CliError(`${file} is neither a ChatGPT conversations.json nor a Parley export (use --format)`, EXIT.USAGE);
}

/**
 * POST /api/import with the file streamed from disk (never read whole): the server imports each conversation whole
 * or not at all, skips those imported before, and answers a report, printed here.
 */
export async function importFile(session: Session, file: string, options: { format?: ImportFormat }) {
  const target = resolveTarget(session.env);
  const url = toServerUrl(target.url);
  session.url = url;
  const format = options.format ?? (await sniffFormat(file));
  const response = await fetch(`${url}/api/import?format=${format}`, {
    method: 'POST',
    headers: { 'x-api-key': target.key, 'content-type': 'application/json' },
    body: Readable.toWeb(createReadStream(file)) as unknown as RequestInit['body'],
    duplex: 'half',
  } as RequestInit);
  const answer = (await response.json().catch(() => null)) as
    | (ImportReport & { message?: string; report?: ImportReport })
    | null;
  if (!response.ok || !answer) {
    const so = answer?.report ? ` (imported before it stopped: ${answer.report.chats} chats)` : '';
    throw new CliError(
      `Import refused (${response.status}): ${answer?.message ?? response.statusText}${so}`,
      exitCodeForStatus(response.status),
    );
  }
  if (answer.errors.length > 0) session.exitCode = EXIT.ERROR;
  printResult(session.json, answer, () =>
    [
      `Imported ${answer.chats} chats (${answer.messages} messages); ${answer.skipped} already imported.`,
      ...answer.notes.map((n) => `  ${n.count} × ${n.reason}`),
      ...answer.errors.map((e) => `  not imported: ${e.conversation}: ${e.reason}`),
    ].join('\n'),
  );
}

interface ImportReport {
  chats: number;
  messages: number;
  skipped: number;
  errors: { conversation: string; reason: string }[];
  notes: { reason: string; count: number }[];
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

/** The message: the argument, or stdin when the argument is `-` or missing and stdin is a pipe or a file. */
async function messageText(text: string | undefined): Promise<string> {
  if (text !== undefined && text !== '-') return text;
  if (text === undefined && stdinIsTerminal()) {
    throw new CliError('chat needs a message: parley chat "Hello", or pipe one in (… | parley chat -).', EXIT.USAGE);
  }
  const read = withoutFinalNewline(await readStdin());
  if (read.trim() === '') throw new CliError('The message on stdin is empty.', EXIT.USAGE);
  return read;
}

/** One line of JSON per event (`--json`): started, text-delta, reconnecting, then finish or error. */
function emit(event: Record<string, unknown>): void {
  writeOut(`${JSON.stringify(event)}\n`);
}

export async function chat(session: Session, textArgument: string | undefined, options: ChatOptions) {
  const text = await messageText(textArgument);
  const api = connect(session);
  let chatId = options.chat;
  /** A chat this command made, until its first message is stored (a refused send deletes it again). */
  let created = false;
  if (!chatId) {
    const made = await api.chat.create.mutate({
      ...(options.provider ? { providerId: options.provider } : {}),
      ...(options.model ? { model: options.model } : {}),
    });
    chatId = made.id;
    created = true;
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
          if (created && !session.json) {
            writeErr(paint.err.dim(`New chat ${chatId} (continue it with --chat ${chatId})\n`));
          }
          created = false;
          userMessageId = sent.userMessage.id;
          if (session.json) emit({ type: 'started', chatId, ...sent });
          release();
          release = stopOnInterrupt(api, sent.assistantMessage.id);
        },
      },
      {
        onText: (delta) => {
          if (session.json) emit({ type: 'text-delta', delta });
          else writeOut(delta);
        },
        onRetry: (attempt) => {
          if (session.json) emit({ type: 'reconnecting', attempt });
          else writeErr(`\n[connection lost; resuming (attempt ${attempt})]\n`);
        },
      },
    );
  } catch (error) {
    // A send refused before anything was stored (no provider, a cap) leaves no empty chat behind.
    if (created && chatId) await api.chat.delete.mutate({ id: chatId }).catch(() => {});
    throw error;
  } finally {
    release();
  }
  reportFinal(session, chatId, userMessageId, final);
}

function reportFinal(session: Session, chatId: string, userMessageId: string, final: Message) {
  if (final.status === 'error') session.exitCode = EXIT.ERROR;
  if (session.json) {
    emit({ type: final.status === 'error' ? 'error' : 'finish', chatId, userMessageId, message: final });
    return;
  }
  writeOut('\n');
  if (final.status === 'error') writeErr(`Error: the reply failed: ${final.error ?? 'unknown reason'}\n`);
  else if (final.status === 'stopped') writeErr(paint.err.dim('(stopped)\n'));
}
