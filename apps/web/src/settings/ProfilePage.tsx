// Profile: the name and picture shown for the account.
import { MAX_NAME_CHARS } from '@parley/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorText } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';
import { TextField } from '../ui/Field.tsx';

export function ProfilePage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.users.me.queryOptions());
  const update = useMutation(
    trpc.users.updateProfile.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.me.queryKey() }),
    }),
  );
  if (!me.data) return <p className="text-sm text-muted">Loading…</p>;
  return (
    <Card title="Profile" description={`Signed in as ${me.data.email}.`}>
      <form
        key={me.data.id}
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const image = String(form.get('image') ?? '').trim();
          update.mutate({ name: String(form.get('name') ?? '').trim(), image: image || null });
        }}
      >
        <TextField
          label="Name"
          name="name"
          defaultValue={me.data.name}
          required
          maxLength={MAX_NAME_CHARS}
          autoComplete="name"
        />
        <TextField
          label="Picture URL"
          name="image"
          type="url"
          defaultValue={me.data.image ?? ''}
          hint="An https:// address of an image, or leave empty."
        />
        {update.error && <Alert>{errorText(update.error)}</Alert>}
        {update.isSuccess && <Alert tone="ok">Profile saved.</Alert>}
        <div>
          <Button type="submit" variant="primary" disabled={update.isPending}>
            Save profile
          </Button>
        </div>
      </form>
    </Card>
  );
}
