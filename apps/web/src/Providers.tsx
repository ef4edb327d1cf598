// The user's AI providers: add (the key is shown afterwards only as its hint), test, delete.
import type { RouterOutputs } from '@parley/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorText } from './errors.ts';
import { useTRPC } from './trpc.ts';

type Kind = RouterOutputs['providers']['kinds'][number]['kind'];
type TestReport = RouterOutputs['providers']['test'];

export function Providers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const kinds = useQuery(trpc.providers.kinds.queryOptions());
  const providers = useQuery(trpc.providers.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() });
  const create = useMutation(trpc.providers.create.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.providers.delete.mutationOptions({ onSuccess: refresh }));
  const test = useMutation(trpc.providers.test.mutationOptions());
  const [reports, setReports] = useState<Record<string, TestReport>>({});
  const [kind, setKind] = useState<Kind>('openai-compatible');
  const selected = kinds.data?.find((k) => k.kind === kind);

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

  async function runTest(id: string) {
    const report = await test.mutateAsync({ id });
    setReports((r) => ({ ...r, [id]: report }));
  }

  return (
    <section className="page">
      <h2>Providers</h2>
      <ul className="list" aria-label="Your providers">
        {providers.data?.map((p) => (
          <li key={p.id} className="row">
            <div>
              <strong>{p.name}</strong> <span className="muted">{p.kind}</span>
              <div className="muted">
                {p.baseUrl ?? 'default endpoint'} · model {p.defaultModel ?? '—'} · key {p.apiKeyHint ?? 'none'}
              </div>
              {reports[p.id] && <Report report={reports[p.id] as TestReport} />}
            </div>
            <div className="actions">
              <button type="button" onClick={() => runTest(p.id)} disabled={test.isPending}>
                Test {p.name}
              </button>
              <button type="button" className="danger" onClick={() => remove.mutate({ id: p.id })}>
                Delete {p.name}
              </button>
            </div>
          </li>
        ))}
        {providers.data?.length === 0 && <li className="muted">No providers yet: add one below.</li>}
      </ul>

      <form className="card" onSubmit={submit} aria-label="Add a provider">
        <h3>Add a provider</h3>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {kinds.data?.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name
          <input name="name" required maxLength={100} />
        </label>
        <label>
          Base URL{selected?.needsBaseUrl ? '' : ' (optional)'}
          <input name="baseUrl" type="url" required={selected?.needsBaseUrl} placeholder="http://127.0.0.1:11434/v1" />
        </label>
        <label>
          API key{selected?.needsApiKey ? '' : ' (optional)'}
          <input name="apiKey" type="password" autoComplete="off" required={selected?.needsApiKey} />
        </label>
        <label>
          Default model
          <input name="defaultModel" list="suggested-models" />
          <datalist id="suggested-models">
            {selected?.suggestedModels.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        {create.error && (
          <p role="alert" className="error">
            {errorText(create.error)}
          </p>
        )}
        <button type="submit" disabled={create.isPending}>
          Add provider
        </button>
      </form>
    </section>
  );
}

function Report({ report }: { report: TestReport }) {
  return report.ok ? (
    <p className="ok" role="status">
      OK in {report.latencyMs} ms{report.models.length > 0 ? ` · models: ${report.models.join(', ')}` : ''}
    </p>
  ) : (
    <p className="error" role="status">
      Failed: {report.error}
    </p>
  );
}
