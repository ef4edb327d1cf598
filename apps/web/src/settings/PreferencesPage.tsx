// Preferences: the default provider and model for new chats, a system prompt, and the theme.
import { MAX_SYSTEM_PROMPT_CHARS } from '@parley/shared';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorText } from '../errors.ts';
import { ThemeToggle } from '../layout/ThemeToggle.tsx';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';
import { SelectField, TextAreaField, TextField } from '../ui/Field.tsx';

export function PreferencesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.users.me.queryOptions());
  const providers = useQuery(trpc.providers.list.queryOptions());
  const [providerId, setProviderId] = useState<string | null>(null);
  const update = useMutation(
    trpc.users.updatePreferences.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.users.me.queryKey() }),
    }),
  );
  const chosen = providerId ?? me.data?.preferences.defaultProviderId ?? '';
  const models = useModels(chosen);
  if (!me.data || !providers.data) return <p className="text-sm text-muted">Loading…</p>;
  const prefs = me.data.preferences;
  return (
    <>
      <Card title="Defaults for new chats">
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            const text = (name: string) => String(form.get(name) ?? '').trim() || null;
            update.mutate({
              defaultProviderId: text('defaultProviderId'),
              defaultModel: text('defaultModel'),
              systemPrompt: text('systemPrompt'),
            });
          }}
        >
          <SelectField
            label="Default provider"
            name="defaultProviderId"
            value={chosen}
            onChange={(event) => setProviderId(event.target.value)}
          >
            <option value="">None</option>
            {providers.data.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Default model"
            name="defaultModel"
            defaultValue={prefs.defaultModel ?? ''}
            list="preference-models"
            hint="Empty: the provider's own default model."
          />
          <datalist id="preference-models">
            {models.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          <TextAreaField
            label="System prompt"
            name="systemPrompt"
            defaultValue={prefs.systemPrompt ?? ''}
            maxLength={MAX_SYSTEM_PROMPT_CHARS}
            hint="Sent before every new chat's messages."
          />
          {update.error && <Alert>{errorText(update.error)}</Alert>}
          {update.isSuccess && <Alert tone="ok">Preferences saved.</Alert>}
          <div>
            <Button type="submit" variant="primary" disabled={update.isPending}>
              Save preferences
            </Button>
          </div>
        </form>
      </Card>
      <Card title="Appearance" description="Follow the system, or choose light or dark for this browser.">
        <ThemeToggle />
      </Card>
    </>
  );
}

function useModels(providerId: string): string[] {
  const trpc = useTRPC();
  const models = useQuery({
    ...trpc.providers.models.queryOptions({ id: providerId }),
    enabled: Boolean(providerId),
    staleTime: 10 * 60_000,
    retry: false,
  });
  return models.data?.models ?? [];
}
