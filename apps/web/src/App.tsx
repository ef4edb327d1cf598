// The shell: signed out, the sign-in form; signed in, the chats, providers and account views.
import { useState } from 'react';
import { Account } from './Account.tsx';
import { authClient } from './auth.ts';
import { Chats } from './Chats.tsx';
import { Providers } from './Providers.tsx';
import { SignIn } from './SignIn.tsx';
import { queryClient } from './trpc.ts';

type View = 'chats' | 'providers' | 'account';
const VIEWS: { id: View; label: string }[] = [
  { id: 'chats', label: 'Chats' },
  { id: 'providers', label: 'Providers' },
  { id: 'account', label: 'Account' },
];

export function App() {
  const session = authClient.useSession();
  const [view, setView] = useState<View>('chats');

  if (session.isPending) return <p className="centered">Loading…</p>;
  if (!session.data) return <SignIn />;

  async function signOut() {
    await authClient.signOut();
    queryClient.clear();
  }

  return (
    <div className="shell">
      <header className="topbar">
        <strong>Parley</strong>
        <nav aria-label="Main">
          {VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              className={view === v.id ? 'tab active' : 'tab'}
              aria-current={view === v.id ? 'page' : undefined}
              onClick={() => setView(v.id)}
            >
              {v.label}
            </button>
          ))}
        </nav>
        <span className="who">{session.data.user.email}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {view === 'chats' && <Chats />}
        {view === 'providers' && <Providers />}
        {view === 'account' && <Account />}
      </main>
    </div>
  );
}
