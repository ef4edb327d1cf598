// API keys for scripts and the CLI: create (the key is shown this once, with a copy button) and revoke.
import { MAX_API_KEY_NAME_CHARS } from '@parley/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';
import { ConfirmDialog } from '../ui/Dialog.tsx';
import { SelectField, TextField } from '../ui/Field.tsx';
import { useCopy } from '../ui/useCopy.ts';

export function ApiKeysPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.auth.apiKeys.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.apiKeys.list.queryKey() });
  const create = useMutation(trpc.auth.apiKeys.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.auth.apiKeys.revoke.mutationOptions({ onSuccess: refresh }));
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [copied, copy] = useCopy();
  return (
    <>
      <Card title="API keys" description="For scripts, the CLI and the OpenAI-compatible endpoint (x-api-key header).">
        {keys.data?.length === 0 && <p className="text-sm text-muted">No API keys.</p>}
        <ul className="flex flex-col divide-y divide-border" aria-label="API keys">
          {keys.data?.map((k) => (
            <li key={k.id} className="flex items-center justify-between gap-3 py-2.5 text-sm">
              <div className="min-w-0">
                <p className="font-medium">{k.name}</p>
                <p className="text-muted">
                  <code>{k.start}…</code> · {k.expiresAt ? `expires ${k.expiresAt.toLocaleDateString()}` : 'no expiry'}{' '}
                  · {k.lastUsedAt ? `last used ${k.lastUsedAt.toLocaleDateString()}` : 'never used'}
                </p>
              </div>
              <Button
                size="sm"
                variant="ghost"
                className="text-danger"
                onClick={() => setRevoking({ id: k.id, name: k.name ?? '' })}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Create an API key">
        {created && (
          <Alert tone="ok">
            <p>Your new key. Copy it now: it is not shown again.</p>
            <div className="mt-2 flex items-center gap-2">
              <code className="min-w-0 flex-1 truncate rounded bg-raised px-2 py-1 text-fg" data-testid="new-api-key">
                {created}
              </code>
              <Button size="sm" onClick={() => copy(created)}>
                {copied ? 'Copied' : 'Copy key'}
              </Button>
            </div>
          </Alert>
        )}
        <form
          className="flex flex-col gap-4 sm:flex-row sm:items-end"
          onSubmit={async (event) => {
            event.preventDefault();
            const formElement = event.currentTarget;
            const form = new FormData(formElement);
            const days = Number(form.get('expires'));
            const key = await create.mutateAsync({
              name: String(form.get('name') ?? '').trim(),
              expiresInDays: days > 0 ? days : undefined,
            });
            setCreated(key.key);
            formElement.reset();
          }}
        >
          <div className="flex-1">
            <TextField
              label="Key name"
              name="name"
              required
              maxLength={MAX_API_KEY_NAME_CHARS}
              placeholder="e.g. laptop CLI"
            />
          </div>
          <SelectField label="Expires" name="expires" defaultValue="90">
            <option value="30">in 30 days</option>
            <option value="90">in 90 days</option>
            <option value="365">in a year</option>
            <option value="0">never</option>
          </SelectField>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Create API key
          </Button>
        </form>
        {create.error && <Alert>{errorText(create.error)}</Alert>}
      </Card>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke ${revoking?.name ?? 'this key'}?`}
        description="Scripts using it stop working at once."
        confirmLabel="Revoke key"
        onConfirm={() => (revoking ? revoke.mutateAsync({ id: revoking.id }) : undefined)}
      />
    </>
  );
}
