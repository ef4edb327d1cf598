// One chat at /c/:chatId: its conversation (the path through its tree the user is on), a reply streaming in, and
// the composer. A question handed over by the new-chat page (navigation state) is sent once, on arrival.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowDown } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { errorCode, errorText, nextStep } from '../errors.ts';
import { NotFound } from '../NotFound.tsx';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Composer } from './Composer.tsx';
import { useLiveReply } from './LiveReply.tsx';
import { MessageView } from './MessageView.tsx';
import { ModelPicker } from './ModelPicker.tsx';
import { type SendInput, SendingTurn } from './SendingTurn.tsx';
import { conversationPath, type Message, newestLeafUnder, type PathItem } from './tree.ts';
import { useFollow } from './useFollow.ts';

export function ChatPage() {
  const { chatId = '' } = useParams();
  return <Conversation key={chatId} chatId={chatId} />;
}

function Conversation({ chatId }: { chatId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const chat = useQuery(trpc.chat.get.queryOptions({ id: chatId }));
  const messagesInput = { chatId, limit: 100 };
  const messages = useInfiniteQuery(
    trpc.chat.messages.infiniteQueryOptions(messagesInput, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  );
  const all = useMemo(() => messages.data?.pages.flatMap((p) => p.items) ?? [], [messages.data]);
  const [leafId, setLeafId] = useState<string | null>(null);
  const path = useMemo(() => conversationPath(all, leafId), [all, leafId]);

  const [sending, setSending] = useState<SendInput | null>(null);
  const [sendingReplyId, setSendingReplyId] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const { scroller, content, atBottom, jump } = useFollow();

  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.chat.messages.infiniteQueryKey(messagesInput) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.get.queryKey({ id: chatId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.list.infiniteQueryKey() }),
    ]);
  };
  const stop = useMutation(trpc.chat.stop.mutationOptions({ onSuccess: refresh }));
  const regenerate = useMutation(
    trpc.chat.regenerate.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: async () => {
        setLeafId(null);
        await refresh();
      },
      onError: setFailure,
    }),
  );
  const update = useMutation(trpc.chat.update.mutationOptions({ onSuccess: refresh }));

  function endSending(error: unknown) {
    setFailure(error);
    setSending(null);
    setSendingReplyId(null);
    // The title is written just after the first reply ends.
    setTimeout(() => queryClient.invalidateQueries({ queryKey: trpc.chat.list.infiniteQueryKey() }), 1500);
  }

  function send(text: string) {
    setFailure(null);
    setLeafId(null);
    setSendingReplyId(null);
    setSending({ chatId, text, clientRequestId: crypto.randomUUID() });
    jump();
  }

  useHandedOverQuestion(send);

  const streamingId = sendingReplyId ?? path.find((p) => p.message.status === 'streaming')?.message.id ?? null;
  const busy = sending !== null || streamingId !== null;
  const stopCurrent = () => {
    if (streamingId) stop.mutate({ messageId: streamingId });
  };
  const lastReplyId = path.findLast((p) => p.message.role === 'assistant')?.message.id;

  if (isMissing(chat.error)) return <NotFound what="chat" />;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div ref={scroller} className="relative min-h-0 flex-1 overflow-y-auto" data-testid="scroller">
        <div ref={content} className="mx-auto w-full max-w-3xl px-4 pt-6 pb-4">
          <h1 className="sr-only">{chat.data?.title ?? 'New chat'}</h1>
          {messages.hasNextPage && (
            <div className="mb-4 flex justify-center">
              <Button size="sm" onClick={() => messages.fetchNextPage()} disabled={messages.isFetchingNextPage}>
                Load earlier messages
              </Button>
            </div>
          )}
          {messages.isPending && <p className="text-sm text-muted">Loading…</p>}
          <ol className="flex flex-col gap-6" aria-label="Messages">
            {path.map((item) => (
              <PathMessage
                key={item.message.id}
                item={item}
                isLastReply={item.message.id === lastReplyId && sending === null}
                all={all}
                onSelectBranch={(id) => setLeafId(newestLeafUnder(all, id))}
                onRegenerate={(id) => regenerate.mutate({ messageId: id })}
                onStop={(id) => stop.mutate({ messageId: id })}
                onDone={refresh}
              />
            ))}
            {sending && (
              <SendingTurn
                key={sending.clientRequestId}
                input={sending}
                onStarted={setSendingReplyId}
                onStop={stopCurrent}
                onDone={() => refresh().then(() => endSending(null))}
                onError={(error) => {
                  endSending(error);
                  void refresh();
                }}
              />
            )}
          </ol>
          {failure ? <FailureAlert error={failure} /> : null}
        </div>
      </div>
      <div className="relative">
        {!atBottom && (
          <div className="absolute -top-12 left-0 right-0 flex justify-center">
            <Button size="sm" className="rounded-full shadow" onClick={() => jump(true)}>
              <ArrowDown size={14} aria-hidden /> Jump to latest
            </Button>
          </div>
        )}
        <Composer
          draft={chatId}
          busy={busy}
          onSend={send}
          onStop={stopCurrent}
          footer={
            <ModelPicker
              providerId={chat.data?.providerId ?? null}
              model={chat.data?.model ?? null}
              onChange={(choice) => update.mutate({ id: chatId, ...choice })}
            />
          }
        />
      </div>
    </div>
  );
}

function PathMessage({
  item,
  isLastReply,
  all,
  onSelectBranch,
  onRegenerate,
  onStop,
  onDone,
}: {
  item: PathItem;
  isLastReply: boolean;
  all: Message[];
  onSelectBranch: (id: string) => void;
  onRegenerate: (id: string) => void;
  onStop: (id: string) => void;
  onDone: () => void;
}) {
  const { message, siblingIds } = item;
  const index = siblingIds.indexOf(message.id);
  const branch =
    siblingIds.length > 1 && all.length > 0
      ? {
          index,
          count: siblingIds.length,
          onSelect: (i: number) => {
            const id = siblingIds[i];
            if (id) onSelectBranch(id);
          },
        }
      : undefined;
  if (message.status === 'streaming') return <LiveMessage message={message} onStop={onStop} onDone={onDone} />;
  return (
    <MessageView
      author={message.role}
      text={message.text}
      status={message.status}
      model={message.model}
      error={message.error}
      branch={branch}
      onRegenerate={message.role === 'assistant' && isLastReply ? () => onRegenerate(message.id) : undefined}
    />
  );
}

/** A reply still being written when the page opened: its text so far, then the rest as it comes. */
function LiveMessage({
  message,
  onStop,
  onDone,
}: {
  message: Message;
  onStop: (id: string) => void;
  onDone: () => void;
}) {
  const text = useLiveReply(message.id, onDone);
  return (
    <MessageView
      author="assistant"
      text={text}
      status="streaming"
      model={message.model}
      onStop={() => onStop(message.id)}
    />
  );
}

/** The chat does not exist, is someone else's, or its id is malformed. */
function isMissing(error: unknown): boolean {
  if (!error) return false;
  const code = (error as { data?: { code?: string } }).data?.code;
  return errorCode(error) === 'CHAT_NOT_FOUND' || code === 'NOT_FOUND' || code === 'BAD_REQUEST';
}

/** A question handed over by the new-chat page: sent once, and taken out of the history entry (a reload does not
 * send it again). */
function useHandedOverQuestion(send: (text: string) => void) {
  const navigate = useNavigate();
  const location = useLocation();
  const handedOver = useRef(false);
  useEffect(() => {
    const text = (location.state as { send?: string } | null)?.send;
    if (text && !handedOver.current) {
      handedOver.current = true;
      navigate(location.pathname, { replace: true, state: null });
      send(text);
    }
  });
}

function FailureAlert({ error }: { error: unknown }) {
  const step = nextStep(error);
  return (
    <div className="mt-4">
      <Alert>
        {errorText(error)}
        {step && (
          <>
            {' '}
            {step.hint}{' '}
            {step.link && (
              <Link className="font-medium underline" to={step.link.to}>
                {step.link.label}
              </Link>
            )}
          </>
        )}
      </Alert>
    </div>
  );
}
