// Chats: the list (new, open, rename, delete) beside the open conversation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Conversation } from './Conversation.tsx';
import { useTRPC } from './trpc.ts';

export function Chats() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const chats = useQuery(trpc.chat.list.queryOptions({ limit: 50 }));
  const providers = useQuery(trpc.providers.list.queryOptions());
  const [openId, setOpenId] = useState<string | null>(null);
  const [providerId, setProviderId] = useState<string>('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.chat.list.queryKey() });
  const create = useMutation(
    trpc.chat.create.mutationOptions({
      onSuccess: (chat) => {
        setOpenId(chat.id);
        return refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.chat.delete.mutationOptions({
      onSuccess: () => {
        setOpenId(null);
        return refresh();
      },
    }),
  );
  const chosenProvider = providerId || providers.data?.[0]?.id;

  return (
    <div className="chats">
      <aside className="sidebar" aria-label="Chats">
        <div className="new-chat">
          <label>
            Provider
            <select value={chosenProvider ?? ''} onChange={(e) => setProviderId(e.target.value)}>
              {providers.data?.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            disabled={!chosenProvider}
            onClick={() => create.mutate({ providerId: chosenProvider })}
          >
            New chat
          </button>
        </div>
        {providers.data?.length === 0 && <p className="muted">Add a provider first (Providers tab).</p>}
        <ul className="list">
          {chats.data?.items.map((chat) => (
            <li key={chat.id}>
              <button
                type="button"
                className={chat.id === openId ? 'chat-link active' : 'chat-link'}
                aria-current={chat.id === openId ? 'true' : undefined}
                onClick={() => setOpenId(chat.id)}
              >
                {chat.title ?? 'New chat'}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {openId ? (
        <Conversation key={openId} chatId={openId} onDelete={() => remove.mutate({ id: openId })} />
      ) : (
        <p className="muted centered">Open a chat, or start a new one.</p>
      )}
    </div>
  );
}
