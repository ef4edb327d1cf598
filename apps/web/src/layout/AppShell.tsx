// The signed-in layout: the sidebar beside the page on wide screens; on phones a top bar whose menu button opens
// the sidebar as a drawer.
import * as RadixDialog from '@radix-ui/react-dialog';
import { LogOut, Menu, Plus, Settings, X } from 'lucide-react';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { authClient } from '../auth.ts';
import { Sidebar } from '../sidebar/Sidebar.tsx';
import { queryClient } from '../trpc.ts';
import { Button } from '../ui/Button.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

function SidebarBody({ email, onNavigate }: { email: string; onNavigate?: () => void }) {
  const navigate = useNavigate();
  return (
    <div className="flex h-full min-h-0 flex-col gap-3 p-3">
      <Link to="/" onClick={onNavigate} className="px-2 pt-1 text-lg font-semibold tracking-tight">
        Parley
      </Link>
      <Sidebar onNavigate={onNavigate} />
      <div className="flex flex-col gap-2 border-t border-border pt-3">
        <div className="flex items-center justify-between gap-2">
          <Link
            to="/settings/profile"
            onClick={onNavigate}
            className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-surface"
          >
            <Settings size={16} aria-hidden /> Settings
          </Link>
          <ThemeToggle />
        </div>
        <div className="flex items-center justify-between gap-2 px-2">
          <span className="truncate text-xs text-muted" title={email}>
            {email}
          </span>
          <Button
            size="sm"
            variant="ghost"
            onClick={async () => {
              await authClient.signOut();
              queryClient.clear();
              void navigate('/');
            }}
          >
            <LogOut size={14} aria-hidden /> Sign out
          </Button>
        </div>
      </div>
    </div>
  );
}

function shortcutOf(event: KeyboardEvent): 'new-chat' | 'search' | null {
  if (!(event.ctrlKey || event.metaKey)) return null;
  const key = event.key.toLowerCase();
  if (event.shiftKey) return key === 'o' ? 'new-chat' : null;
  return key === 'k' ? 'search' : null;
}

/** Ctrl/⌘+Shift+O: a new chat; Ctrl/⌘+K: search the chats (opening the drawer on a phone). */
function useShortcuts(openDrawer: () => void) {
  const navigate = useNavigate();
  useEffect(() => {
    const focusSearch = () => {
      const fields = document.querySelectorAll<HTMLInputElement>('input[type="search"]');
      const visible = [...fields].find((el) => el.offsetParent !== null);
      if (visible) visible.focus();
      else openDrawer();
    };
    const onKey = (event: KeyboardEvent) => {
      const shortcut = shortcutOf(event);
      if (!shortcut) return;
      event.preventDefault();
      if (shortcut === 'new-chat') void navigate('/');
      else focusSearch();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, openDrawer]);
}

export function AppShell({ email, children }: { email: string; children: ReactNode }) {
  const [drawer, setDrawer] = useState(false);
  const navigate = useNavigate();
  useShortcuts(useCallback(() => setDrawer(true), []));
  return (
    <div className="flex h-dvh min-h-0">
      <aside className="hidden w-72 shrink-0 border-r border-border bg-bg md:flex md:flex-col">
        <SidebarBody email={email} />
      </aside>
      <div className="flex min-h-0 min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between border-b border-border px-2 py-1.5 md:hidden">
          <RadixDialog.Root open={drawer} onOpenChange={setDrawer}>
            <RadixDialog.Trigger asChild>
              <Button size="icon" variant="ghost" aria-label="Open the menu">
                <Menu size={20} aria-hidden />
              </Button>
            </RadixDialog.Trigger>
            <RadixDialog.Portal>
              <RadixDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
              <RadixDialog.Content className="fixed inset-y-0 left-0 z-50 flex w-[85vw] max-w-80 flex-col bg-bg text-fg shadow-xl">
                <RadixDialog.Title className="sr-only">Menu</RadixDialog.Title>
                <RadixDialog.Description className="sr-only">Chats and settings</RadixDialog.Description>
                <RadixDialog.Close asChild>
                  <Button size="icon" variant="ghost" aria-label="Close the menu" className="absolute top-2 right-2">
                    <X size={18} aria-hidden />
                  </Button>
                </RadixDialog.Close>
                <SidebarBody email={email} onNavigate={() => setDrawer(false)} />
              </RadixDialog.Content>
            </RadixDialog.Portal>
          </RadixDialog.Root>
          <span className="font-semibold">Parley</span>
          <Button size="icon" variant="ghost" aria-label="New chat" onClick={() => navigate('/')}>
            <Plus size={20} aria-hidden />
          </Button>
        </header>
        <main className="flex min-h-0 flex-1 flex-col">{children}</main>
      </div>
    </div>
  );
}
