// One chat in the sidebar: a link to it, and a menu to rename it in place or delete it (after a confirmation).
import { MAX_TITLE_CHARS, type RouterOutputs } from '@parley/shared';
import * as Menu from '@radix-ui/react-dropdown-menu';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { MoreHorizontal, Pencil, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { NavLink, useMatch, useNavigate } from 'react-router';
import { trpcClient, useTRPC } from '../trpc.ts';
import { cn } from '../ui/cn.ts';
import { ConfirmDialog } from '../ui/Dialog.tsx';
import { useToast } from '../ui/Toast.tsx';
import { deleteOnLeave, hideChat, unhideChat } from './pendingDeletes.ts';

type Chat = RouterOutputs['chat']['list']['items'][number];

const menuItem =
  'flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-surface';

export function ChatItem({ chat, onNavigate }: { chat: Chat; onNavigate?: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const open = useMatch(`/c/${chat.id}`);
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const title = chat.title ?? 'New chat';
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.chat.list.infiniteQueryKey() });
  const rename = useMutation(trpc.chat.update.mutationOptions({ onSuccess: refresh }));
  const toast = useToast();

  /** Hidden now, deleted when the notice runs out; Undo brings it back. */
  function deleteWithUndo() {
    hideChat(chat.id);
    if (open) void navigate('/');
    const cancelLeave = deleteOnLeave(chat.id);
    toast({
      message: `Deleted “${title}”`,
      duration: 6000,
      action: {
        label: 'Undo',
        onClick: () => {
          cancelLeave();
          unhideChat(chat.id);
        },
      },
      onTimeout: () => {
        cancelLeave();
        void trpcClient.chat.delete.mutate({ id: chat.id }).finally(() => {
          unhideChat(chat.id);
          return refresh();
        });
      },
    });
  }

  if (renaming) {
    return (
      <li>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const value = String(new FormData(event.currentTarget).get('title') ?? '').trim();
            rename.mutate({ id: chat.id, title: value || null });
            setRenaming(false);
          }}
        >
          <label className="sr-only" htmlFor={`rename-${chat.id}`}>
            Chat title
          </label>
          <input
            id={`rename-${chat.id}`}
            name="title"
            defaultValue={chat.title ?? ''}
            maxLength={MAX_TITLE_CHARS}
            // biome-ignore lint/a11y/noAutofocus: the user just asked to rename this chat
            autoFocus
            onBlur={(event) => event.currentTarget.form?.requestSubmit()}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setRenaming(false);
            }}
            className="w-full rounded-md border border-accent bg-raised px-2 py-1.5 text-sm"
          />
        </form>
      </li>
    );
  }

  return (
    <li className="group relative">
      <NavLink
        to={`/c/${chat.id}`}
        onClick={onNavigate}
        className={({ isActive }) =>
          cn(
            'block truncate rounded-md py-1.5 pr-8 pl-2 text-sm hover:bg-surface',
            isActive && 'bg-surface font-medium',
          )
        }
      >
        {title}
      </NavLink>
      <Menu.Root>
        <Menu.Trigger
          aria-label={`Options for ${title}`}
          className="absolute top-1/2 right-1 -translate-y-1/2 cursor-pointer rounded p-1 text-muted opacity-100 hover:bg-border sm:opacity-0 sm:group-hover:opacity-100 sm:focus-visible:opacity-100 sm:data-[state=open]:opacity-100"
        >
          <MoreHorizontal size={16} aria-hidden />
        </Menu.Trigger>
        <Menu.Portal>
          <Menu.Content
            align="end"
            className="z-50 min-w-36 rounded-lg border border-border bg-raised p-1 text-fg shadow-lg"
          >
            <Menu.Item className={menuItem} onSelect={() => setRenaming(true)}>
              <Pencil size={14} aria-hidden /> Rename
            </Menu.Item>
            <Menu.Item className={cn(menuItem, 'text-danger')} onSelect={() => setConfirming(true)}>
              <Trash2 size={14} aria-hidden /> Delete
            </Menu.Item>
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Delete this chat?"
        description={`“${title}” and all its messages will be deleted. You can undo for a few seconds.`}
        confirmLabel="Delete chat"
        onConfirm={deleteWithUndo}
      />
    </li>
  );
}
