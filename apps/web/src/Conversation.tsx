// One chat: its messages, a live reply streaming in, stop, regenerate, rename, delete, and the composer.
import type { RouterOutputs } from '@parley/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorText } from './errors.ts';
import { LiveReply } from './LiveReply.tsx';
import { type SendInput, SendingReply } from './SendingReply.tsx';
import { useTRPC } from './trpc.ts';

type Message = RouterOutputs['chat']['messages']['items'][number];

export function Conversation({ chatId, onDelete }: { chatId: string; onDelete: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const chat = useQuery(trpc.chat.get.queryOptions({ id: chatId }));
  const messages = useQuery(trpc.chat.messages.queryOptions({ chatId, limit: 100 }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.chat.messages.queryKey({ chatId, limit: 100 }) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.get.queryKey({ id: chatId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.list.queryKey() }),
    ]);
  // The question being sent and its reply streaming in, until the reply ends (then the list shows both).
  const [sending, setSending] = useState<SendInput | null>(null);
  const [sendError, setSendError] = useState<unknown>(null);
  const stop = useMutation(trpc.chat.stop.mutationOptions({ onSuccess: refresh }));
  const regenerate = useMutation(trpc.chat.regenerate.mutationOptions({ onSuccess: refresh }));
  const rename = useMutation(trpc.chat.update.mutationOptions({ onSuccess: refresh }));
  const [renaming, setRenaming] = useState(false);

  const ordered = [...(messages.data?.items ?? [])].reverse();
  const lastReply = ordered.findLast((m) => m.role === 'assistant');

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const text = String(new FormData(formElement).get('text') ?? '').trim();
    if (!text) return;
    setSendError(null);
    setSending({ chatId, text, clientRequestId: crypto.randomUUID() });
    formElement.reset();
  }

  async function submitTitle(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = String(new FormData(event.currentTarget).get('title') ?? '').trim();
    await rename.mutateAsync({ id: chatId, title: title || null });
    setRenaming(false);
  }

  return (
    <section className="conversation" aria-label="Conversation">
      <header className="conversation-head">
        {renaming ? (
          <form onSubmit={submitTitle} className="inline">
            <label>
              Title
              <input name="title" defaultValue={chat.data?.title ?? ''} maxLength={200} />
            </label>
            <button type="submit">Save</button>
          </form>
        ) : (
          <h2>{chat.data?.title ?? 'New chat'}</h2>
        )}
        <div className="actions">
          <button type="button" onClick={() => setRenaming(!renaming)}>
            Rename
          </button>
          <button type="button" className="danger" onClick={onDelete}>
            Delete chat
          </button>
        </div>
      </header>

      <ol className="messages" aria-live="polite">
        {ordered.map((m) => (
          <li key={m.id} className={`message ${m.role}`} data-status={m.status}>
            <span className="role">{m.role === 'user' ? 'You' : (m.model ?? 'Assistant')}</span>
            {m.status === 'streaming' ? <LiveReply messageId={m.id} onDone={refresh} /> : <MessageBody message={m} />}
            {m.status === 'streaming' && (
              <button type="button" onClick={() => stop.mutate({ messageId: m.id })}>
                Stop
              </button>
            )}
            {m.id === lastReply?.id && m.status !== 'streaming' && (
              <button type="button" onClick={() => regenerate.mutate({ messageId: m.id })}>
                Regenerate
              </button>
            )}
          </li>
        ))}
        {sending && (
          <SendingReply
            key={sending.clientRequestId}
            input={sending}
            onDone={() => refresh().then(() => setSending(null))}
            onError={(error) => {
              setSendError(error);
              setSending(null);
            }}
          />
        )}
      </ol>

      <form className="composer" onSubmit={submit}>
        <label className="grow">
          Message
          <textarea
            name="text"
            rows={3}
            required
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
        </label>
        <button type="submit" disabled={sending !== null}>
          Send
        </button>
      </form>
      {(sendError ?? regenerate.error) && (
        <p role="alert" className="error">
          {errorText(sendError ?? regenerate.error)}
        </p>
      )}
    </section>
  );
}

function MessageBody({ message }: { message: Message }) {
  return (
    <div className="body">
      <p className="text">{message.text}</p>
      {message.status === 'stopped' && <p className="muted status">Stopped</p>}
      {message.status === 'error' && (
        <p className="error status" role="status">
          Error: {message.error}
        </p>
      )}
    </div>
  );
}
