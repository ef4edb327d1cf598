// The chat's provider and model, from the user's providers and the models each one offers; the choice is stored
// on the chat (chat.update), so the chat remembers it.
import { useQueries, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useTRPC } from '../trpc.ts';

export function ModelPicker({
  providerId,
  model,
  onChange,
}: {
  providerId: string | null;
  model: string | null;
  onChange: (choice: { providerId: string; model: string }) => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const providers = useQuery(trpc.providers.list.queryOptions());
  const models = useQueries({
    queries: (providers.data ?? []).map((p) => ({
      ...trpc.providers.models.queryOptions({ id: p.id }),
      staleTime: 10 * 60_000,
      retry: false,
    })),
  });
  if (!providers.data || providers.data.length === 0) return null;
  const options = providers.data.map((p, i) => {
    const listed = models[i]?.data?.models ?? [];
    const names = [...new Set([p.defaultModel, ...listed].filter((m): m is string => Boolean(m)))];
    return { provider: p, names };
  });
  const value = providerId && model ? `${providerId}\u0000${model}` : '';
  return (
    <span className="inline-flex items-center gap-1">
      <label htmlFor={id} className="sr-only">
        Model
      </label>
      <select
        id={id}
        value={value}
        onChange={(event) => {
          const [pid, name] = event.target.value.split('\u0000');
          if (pid && name) onChange({ providerId: pid, model: name });
        }}
        className="max-w-52 cursor-pointer truncate rounded-md border border-transparent bg-transparent py-1 text-xs text-muted hover:border-border"
      >
        {!value && <option value="">Default model</option>}
        {value && !options.some((o) => o.provider.id === providerId && o.names.includes(model ?? '')) && (
          <option value={value}>{model}</option>
        )}
        {options.map(({ provider, names }) => (
          <optgroup key={provider.id} label={provider.name}>
            {names.map((name) => (
              <option key={name} value={`${provider.id}\u0000${name}`}>
                {name}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </span>
  );
}
