// One chat at /c/:chatId: the path through its tree the chat is on (chat.history), a question being sent with its
// reply streaming in, and the composer. A question handed over by the new-chat page (navigation state) is sent once.
import { nextPageParam } from '@parley/shared';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowDown } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { NotFound } from '../NotFound.tsx';
import { useTRPC } from '../trpc.ts';
import { Button } from '../ui/Button.tsx';
import { useTitle } from '../ui/useTitle.ts';
import { Composer } from './Composer.tsx';
import { ModelPicker } from './ModelPicker.tsx';
import { PathMessage } from './PathMessage.tsx';
import { FailureAlert, isMissing, useHandedOverQuestion } from './parts.tsx';
import { joinPages, shownPath } from './path.ts';
import { type SendInput, SendingTurn } from './SendingTurn.tsx';
import { useFollow } from './useFollow.ts';

export function ChatPage() {
  const { chatId = '' } = useParams();
  return <Conversation key={chatId} chatId={chatId} />;
}

function Conversation({ chatId }: { chatId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const chat = useQuery(trpc.chat.get.queryOptions({ id: chatId }));
  const historyInput = { chatId, limit: 50 };
  const history = useInfiniteQuery(
    trpc.chat.history.infiniteQueryOptions(historyInput, { getNextPageParam: nextPageParam }),
  );
  const path = useMemo(() => joinPages(history.data?.pages), [history.data]);

  const [sending, setSending] = useState<SendInput | null>(null);
  const [sendingReplyId, setSendingReplyId] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const { scroller, content, atBottom, jump } = useFollow();

  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.chat.history.infiniteQueryKey(historyInput) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.get.queryKey({ id: chatId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.list.infiniteQueryKey() }),
    ]);
  };
  const stop = useMutation(trpc.chat.stop.mutationOptions({ onSuccess: refresh }));
  const regenerate = useMutation(
    trpc.chat.regenerate.mutationOptions({ onMutate: () => setFailure(null), onSuccess: refresh, onError: setFailure }),
  );
  const selectBranch = useMutation(trpc.chat.selectBranch.mutationOptions({ onSuccess: refresh, onError: setFailure }));
  const update = useMutation(trpc.chat.update.mutationOptions({ onSuccess: refresh }));
  const navigate = useNavigate();
  const fork = useMutation(
    trpc.chat.fork.mutationOptions({
      onSuccess: async (copy) => {
        await queryClient.invalidateQueries({ queryKey: trpc.chat.list.infiniteQueryKey() });
        void navigate(`/c/${copy.id}`);
      },
      onError: setFailure,
    }),
  );

  function endSending(error: unknown) {
    setFailure(error);
    setSending(null);
    setSendingReplyId(null);
    // The title is written just after the first reply ends.
    setTimeout(() => queryClient.invalidateQueries({ queryKey: trpc.chat.list.infiniteQueryKey() }), 1500);
  }

  /** parentId absent: an answer to the current leaf; given (null for the first message): edit and resend. */
  function send(text: string, parentId?: string | null) {
    setFailure(null);
    setSendingReplyId(null);
    setSending({ chatId, text, clientRequestId: crypto.randomUUID(), ...(parentId !== undefined ? { parentId } : {}) });
    jump();
  }

  useHandedOverQuestion(send);
  useTitle(chat.data?.title ?? 'New chat');

  const streamingId = sendingReplyId ?? path.find((m) => m.status === 'streaming')?.id ?? null;
  const busy = sending !== null || streamingId !== null;
  const stopCurrent = () => {
    if (streamingId) stop.mutate({ messageId: streamingId });
  };
  const lastReply = path.findLast((m) => m.role === 'assistant');
  // A chat without a chosen model shows the one its last reply used.
  const lastModel = lastReply?.providerId && lastReply.model ? lastReply : null;
  const shown = sending ? shownPath(path, sending.parentId, sendingReplyId) : path;

  if (isMissing(chat.error)) return <NotFound what="chat" />;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div ref={scroller} className="relative min-h-0 flex-1 overflow-y-auto" data-testid="scroller">
        <div ref={content} className="mx-auto w-full max-w-3xl px-4 pt-6 pb-4">
          <h1 className="sr-only">{chat.data?.title ?? 'New chat'}</h1>
          {history.hasNextPage && (
            <div className="mb-4 flex justify-center">
              <Button size="sm" onClick={() => history.fetchNextPage()} disabled={history.isFetchingNextPage}>
                Load earlier messages
              </Button>
            </div>
          )}
          {history.isPending && <p className="text-sm text-muted">Loading…</p>}
          <ol className="flex flex-col gap-6" aria-label="Messages">
            {shown.map((message) => (
              <PathMessage
                key={message.id}
                message={message}
                isLastReply={message.id === lastReply?.id && sending === null}
                busy={busy}
                onSelectBranch={(messageId) => selectBranch.mutate({ chatId, messageId })}
                onEdit={(edited, text) => send(text, edited.parentId)}
                onRegenerate={(messageId) => regenerate.mutate({ messageId })}
                onStop={(messageId) => stop.mutate({ messageId })}
                onFork={(messageId) => fork.mutate({ chatId, messageId })}
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
          <div className="absolute -top-12 right-0 left-0 flex justify-center">
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
              providerId={chat.data?.providerId ?? lastModel?.providerId ?? null}
              model={chat.data?.model ?? lastModel?.model ?? null}
              onChange={(choice) => update.mutate({ id: chatId, ...choice })}
            />
          }
        />
      </div>
    </div>
  );
}
