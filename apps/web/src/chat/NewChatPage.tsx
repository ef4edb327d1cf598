// `/`: a new chat. The first message creates the chat and is handed to its page, which sends it; without a
// provider, this page leads to adding one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorText } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { useTitle } from '../ui/useTitle.ts';
import { Composer } from './Composer.tsx';
import { ModelPicker } from './ModelPicker.tsx';

export function NewChatPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const providers = useQuery(trpc.providers.list.queryOptions());
  const me = useQuery(trpc.users.me.queryOptions());
  const [choice, setChoice] = useState<{ providerId: string; model: string } | null>(null);
  const create = useMutation(
    trpc.chat.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.chat.list.infiniteQueryKey() }),
    }),
  );
  const none = providers.data?.length === 0;
  useTitle(undefined);
  const preferred = me.data?.preferences;
  // What a send without a choice uses: the default provider (else the only or oldest one) and its model.
  const fallback =
    providers.data?.find((p) => p.id === preferred?.defaultProviderId) ??
    providers.data?.toSorted((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-1 flex-col items-center justify-center gap-4 overflow-y-auto p-6 text-center">
        <h1 className="text-2xl font-semibold">{none ? 'Welcome to Parley' : 'What can I help with?'}</h1>
        {none && (
          <div className="max-w-md rounded-xl border border-border bg-raised p-5 text-left">
            <h2 className="font-semibold">Add an AI provider first</h2>
            <p className="mt-1 text-sm text-muted">
              Parley talks to the models of your own providers (OpenAI, Anthropic, Google, or any OpenAI-compatible
              server such as Ollama) with your own keys.
            </p>
            <Link
              to="/settings/providers"
              className="mt-3 inline-flex h-10 items-center rounded-lg bg-accent px-4 text-sm font-medium text-accent-fg"
            >
              Add a provider
            </Link>
          </div>
        )}
        {create.error && <Alert>{errorText(create.error)}</Alert>}
      </div>
      <Composer
        draft="new"
        busy={create.isPending}
        disabled={none}
        onStop={() => {}}
        onSend={async (text) => {
          const chat = await create.mutateAsync(choice ?? {});
          void navigate(`/c/${chat.id}`, { state: { send: text } });
        }}
        footer={
          <ModelPicker
            providerId={choice?.providerId ?? fallback?.id ?? null}
            model={choice?.model ?? preferred?.defaultModel ?? fallback?.defaultModel ?? null}
            onChange={setChoice}
          />
        }
      />
    </div>
  );
}
