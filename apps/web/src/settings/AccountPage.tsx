// Delete the account: confirmed by typing its email; every chat, provider, key and session goes with it.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { authClient } from '../auth.ts';
import { errorText } from '../errors.ts';
import { queryClient, useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';
import { TextField } from '../ui/Field.tsx';

export function AccountPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const me = useQuery(trpc.users.me.queryOptions());
  const [typed, setTyped] = useState('');
  const remove = useMutation(
    trpc.users.deleteAccount.mutationOptions({
      onSuccess: async () => {
        await authClient.signOut().catch(() => undefined);
        queryClient.clear();
        void navigate('/', { replace: true });
        window.location.reload();
      },
    }),
  );
  const email = me.data?.email ?? '';
  return (
    <Card
      title="Delete your account"
      description="Your chats, messages, providers, API keys and sessions are deleted for good. Download your data first if you want to keep it."
    >
      <form
        className="flex max-w-md flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          remove.mutate({ confirmEmail: typed.trim() });
        }}
      >
        <TextField
          label={`Type your email (${email}) to confirm`}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          autoComplete="off"
        />
        {remove.error && <Alert>{errorText(remove.error)}</Alert>}
        <div>
          <Button type="submit" variant="danger" disabled={!email || typed.trim() !== email || remove.isPending}>
            Delete my account
          </Button>
        </div>
      </form>
    </Card>
  );
}
