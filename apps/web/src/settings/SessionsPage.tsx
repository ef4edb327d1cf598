// Sessions: where the account is signed in; sign out any other one, or all of them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../trpc.ts';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';

export function SessionsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.auth.listSessions.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.listSessions.queryKey() });
  const revoke = useMutation(trpc.auth.revokeSession.mutationOptions({ onSuccess: refresh }));
  const revokeOthers = useMutation(trpc.auth.revokeOtherSessions.mutationOptions({ onSuccess: refresh }));
  const others = sessions.data?.filter((s) => !s.current).length ?? 0;
  return (
    <Card title="Sessions" description="The browsers and devices signed in to your account.">
      <ul className="flex flex-col divide-y divide-border" aria-label="Sessions">
        {sessions.data?.map((s) => (
          <li key={s.id} className="flex items-center justify-between gap-3 py-2.5">
            <div className="min-w-0 text-sm">
              <p className="truncate">
                {s.userAgent ?? 'Unknown device'}
                {s.current && <strong className="ml-2 text-ok">this browser</strong>}
              </p>
              <p className="text-muted">
                {s.ipAddress ?? 'unknown address'} · since {s.createdAt.toLocaleString()}
              </p>
            </div>
            {!s.current && (
              <Button size="sm" onClick={() => revoke.mutate({ sessionId: s.id })}>
                Sign out
              </Button>
            )}
          </li>
        ))}
      </ul>
      {others > 0 && (
        <div>
          <Button variant="danger" onClick={() => revokeOthers.mutate()}>
            Sign out everywhere else
          </Button>
        </div>
      )}
    </Card>
  );
}
