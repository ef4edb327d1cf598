// The account: signed-in sessions (revoke), API keys for scripts (create — shown once — and revoke), and the
// download of everything the account holds.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from './trpc.ts';

export function Account() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.auth.listSessions.queryOptions());
  const keys = useQuery(trpc.auth.apiKeys.list.queryOptions());
  const refreshSessions = () => queryClient.invalidateQueries({ queryKey: trpc.auth.listSessions.queryKey() });
  const refreshKeys = () => queryClient.invalidateQueries({ queryKey: trpc.auth.apiKeys.list.queryKey() });
  const revokeSession = useMutation(trpc.auth.revokeSession.mutationOptions({ onSuccess: refreshSessions }));
  const createKey = useMutation(trpc.auth.apiKeys.create.mutationOptions({ onSuccess: refreshKeys }));
  const revokeKey = useMutation(trpc.auth.apiKeys.revoke.mutationOptions({ onSuccess: refreshKeys }));
  const [newKey, setNewKey] = useState<string | null>(null);

  async function submitKey(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get('name') ?? '').trim();
    const created = await createKey.mutateAsync({ name });
    setNewKey(created.key);
    formElement.reset();
  }

  return (
    <section className="page">
      <h2>Sessions</h2>
      <ul className="list" aria-label="Sessions">
        {sessions.data?.map((s) => (
          <li key={s.id} className="row">
            <span>
              {s.userAgent ?? 'Unknown device'} · {s.ipAddress ?? '—'} · since {s.createdAt.toLocaleString()}
              {s.current && <strong> (this one)</strong>}
            </span>
            {!s.current && (
              <button type="button" onClick={() => revokeSession.mutate({ sessionId: s.id })}>
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>

      <h2>API keys</h2>
      <ul className="list" aria-label="API keys">
        {keys.data?.map((k) => (
          <li key={k.id} className="row">
            <span>
              {k.name} · {k.start}… · {k.expiresAt ? `expires ${k.expiresAt.toLocaleDateString()}` : 'no expiry'}
            </span>
            <button type="button" className="danger" onClick={() => revokeKey.mutate({ id: k.id })}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
      {newKey && (
        <p className="card" role="status">
          Your new key (copy it now, it is not shown again): <code>{newKey}</code>
        </p>
      )}
      <form className="card inline" onSubmit={submitKey} aria-label="Create an API key">
        <label>
          Key name
          <input name="name" required maxLength={32} />
        </label>
        <button type="submit">Create API key</button>
      </form>

      <h2>Your data</h2>
      <p className="card">
        Everything your account holds — profile, preferences, providers (without their keys), chats and messages — as
        one JSON file. The server streams it, so it works for any size of account.{' '}
        {/* A plain same-origin link: the browser sends the session cookie and saves the attachment itself. */}
        <a href="/api/export" download>
          Download my data
        </a>
      </p>
    </section>
  );
}
