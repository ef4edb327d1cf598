// Providers: the user's AI providers (test, models, make default, delete after confirming) and a form to add one
// with the fields its kind needs. A key is never shown again, only its hint.
import { MAX_NAME_CHARS, type ProviderKind, type RouterOutputs } from '@parley/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorText } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';
import { ConfirmDialog } from '../ui/Dialog.tsx';
import { SelectField, TextField } from '../ui/Field.tsx';
import { EditProvider } from './EditProvider.tsx';

type Kind = ProviderKind;
type Provider = RouterOutputs['providers']['list'][number];
type TestReport = RouterOutputs['providers']['test'];

export function ProvidersPage() {
  const trpc = useTRPC();
  const providers = useQuery(trpc.providers.list.queryOptions());
  const me = useQuery(trpc.users.me.queryOptions());
  return (
    <>
      <Card title="Providers" description="The AI services Parley talks to, with your own keys.">
        {providers.data?.length === 0 && <p className="text-sm text-muted">No providers yet: add one below.</p>}
        <ul className="flex flex-col divide-y divide-border" aria-label="Your providers">
          {providers.data?.map((p) => (
            <ProviderRow key={p.id} provider={p} isDefault={me.data?.preferences.defaultProviderId === p.id} />
          ))}
        </ul>
      </Card>
      <AddProvider />
    </>
  );
}

function ProviderRow({ provider: p, isDefault }: { provider: Provider; isDefault: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [report, setReport] = useState<TestReport | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.users.me.queryKey() }),
    ]);
  const test = useMutation(trpc.providers.test.mutationOptions({ onSuccess: setReport }));
  const remove = useMutation(trpc.providers.delete.mutationOptions({ onSuccess: refresh }));
  const makeDefault = useMutation(trpc.users.updatePreferences.mutationOptions({ onSuccess: refresh }));
  return (
    <li className="flex flex-col gap-2 py-3 first:pt-0 last:pb-0 sm:flex-row sm:items-start sm:justify-between">
      <div className="min-w-0">
        <div className="flex items-center gap-2">
          <strong>{p.name}</strong>
          <span className="rounded bg-surface px-1.5 py-0.5 text-xs text-muted">{p.kind}</span>
          {isDefault && <span className="rounded bg-accent/15 px-1.5 py-0.5 text-xs text-accent">default</span>}
        </div>
        <p className="mt-1 truncate text-sm text-muted">
          {p.baseUrl ?? 'default endpoint'} · model {p.defaultModel ?? '—'} · key {p.apiKeyHint ?? 'none'}
          {p.prices.length > 0 && ` · ${p.prices.length} price${p.prices.length > 1 ? 's' : ''}`}
        </p>
        {report &&
          (report.ok ? (
            <p className="mt-1 text-sm text-ok" role="status">
              OK in {report.latencyMs} ms{report.models.length > 0 ? ` · models: ${report.models.join(', ')}` : ''}
            </p>
          ) : (
            <p className="mt-1 text-sm text-danger" role="status">
              Failed: {report.error}
            </p>
          ))}
        {test.error && <p className="mt-1 text-sm text-danger">{errorText(test.error)}</p>}
      </div>
      <div className="flex shrink-0 flex-wrap gap-2">
        <Button size="sm" onClick={() => test.mutate({ id: p.id })} disabled={test.isPending}>
          {test.isPending ? 'Testing…' : `Test ${p.name}`}
        </Button>
        <Button size="sm" onClick={() => setEditing(true)}>
          Edit {p.name}
        </Button>
        {!isDefault && (
          <Button size="sm" onClick={() => makeDefault.mutate({ defaultProviderId: p.id })}>
            Make default
          </Button>
        )}
        <Button size="sm" variant="ghost" className="text-danger" onClick={() => setConfirming(true)}>
          Delete {p.name}
        </Button>
      </div>
      {editing && <EditProvider provider={p} open={editing} onOpenChange={setEditing} />}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Delete ${p.name}?`}
        description="Its key is deleted. Chats that used it stay, and will need another provider to continue."
        confirmLabel="Delete provider"
        onConfirm={() => remove.mutateAsync({ id: p.id })}
      />
    </li>
  );
}

function AddProvider() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const kinds = useQuery(trpc.providers.kinds.queryOptions());
  const [kind, setKind] = useState<Kind>('openai-compatible');
  const selected = kinds.data?.find((k) => k.kind === kind);
  const create = useMutation(
    trpc.providers.create.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.users.me.queryKey() }),
        ]),
    }),
  );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    await create.mutateAsync({
      kind,
      name: text('name') ?? '',
      baseUrl: text('baseUrl'),
      apiKey: text('apiKey'),
      defaultModel: text('defaultModel'),
    });
    formElement.reset();
  }

  return (
    <Card title="Add a provider">
      <form className="flex flex-col gap-4" onSubmit={submit} aria-label="Add a provider">
        <SelectField label="Kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {kinds.data?.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </SelectField>
        <TextField label="Name" name="name" required maxLength={MAX_NAME_CHARS} placeholder="e.g. Work OpenAI" />
        <TextField
          label={`Base URL${selected?.needsBaseUrl ? '' : ' (optional)'}`}
          name="baseUrl"
          type="url"
          required={selected?.needsBaseUrl}
          placeholder="http://127.0.0.1:11434/v1"
        />
        <TextField
          label={`API key${selected?.needsApiKey ? '' : ' (optional)'}`}
          name="apiKey"
          type="password"
          autoComplete="off"
          required={selected?.needsApiKey}
        />
        <TextField label="Default model" name="defaultModel" list="suggested-models" />
        <datalist id="suggested-models">
          {selected?.suggestedModels.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        {create.error && <Alert>{errorText(create.error)}</Alert>}
        <div>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Add provider
          </Button>
        </div>
      </form>
    </Card>
  );
}
