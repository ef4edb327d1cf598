// Edit a provider in a dialog: its name, default model, a new key (the stored one is never shown), and its prices
// per model (per million tokens, in the user's own currency) for the usage figures.
import { MAX_NAME_CHARS, type RouterOutputs } from '@parley/shared';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { errorText } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { inputClass, TextField } from '../ui/Field.tsx';

type Provider = RouterOutputs['providers']['list'][number];
type Price = Provider['prices'][number];

export function EditProvider({
  provider,
  open,
  onOpenChange,
}: {
  provider: Provider;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [prices, setPrices] = useState<Price[]>(provider.prices);
  const update = useMutation(
    trpc.providers.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() });
        onOpenChange(false);
      },
    }),
  );
  const setPrice = (index: number, change: Partial<Price>) =>
    setPrices((list) => list.map((p, i) => (i === index ? { ...p, ...change } : p)));

  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={`Edit ${provider.name}`}>
      <form
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const text = (name: string) => String(form.get(name) ?? '').trim();
          const apiKey = text('apiKey');
          update.mutate({
            id: provider.id,
            name: text('name'),
            defaultModel: text('defaultModel') || null,
            ...(apiKey ? { apiKey } : {}),
            prices: prices.filter((p) => p.model.trim()).map((p) => ({ ...p, model: p.model.trim() })),
          });
        }}
      >
        <TextField label="Name" name="name" defaultValue={provider.name} required maxLength={MAX_NAME_CHARS} />
        <TextField label="Default model" name="defaultModel" defaultValue={provider.defaultModel ?? ''} />
        <TextField
          label="New API key"
          name="apiKey"
          type="password"
          autoComplete="off"
          hint={`Leave empty to keep the current key${provider.apiKeyHint ? ` (${provider.apiKeyHint})` : ''}.`}
        />
        <fieldset className="flex flex-col gap-2">
          <legend className="text-sm font-medium">Prices per million tokens</legend>
          {prices.map((price, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows being edited have no identity yet
            <div key={i} className="grid grid-cols-[1fr_5rem_5rem_auto] items-center gap-2">
              <input
                aria-label={`Model of price ${i + 1}`}
                className={inputClass}
                value={price.model}
                placeholder="model"
                onChange={(e) => setPrice(i, { model: e.target.value })}
              />
              <input
                aria-label={`Input price of ${price.model || `price ${i + 1}`}`}
                className={inputClass}
                type="number"
                min={0}
                step="any"
                value={price.inputPerMTok}
                onChange={(e) => setPrice(i, { inputPerMTok: Number(e.target.value) })}
              />
              <input
                aria-label={`Output price of ${price.model || `price ${i + 1}`}`}
                className={inputClass}
                type="number"
                min={0}
                step="any"
                value={price.outputPerMTok}
                onChange={(e) => setPrice(i, { outputPerMTok: Number(e.target.value) })}
              />
              <Button
                size="icon"
                variant="ghost"
                aria-label={`Remove price ${i + 1}`}
                onClick={() => setPrices((list) => list.filter((_, j) => j !== i))}
              >
                <Trash2 size={16} aria-hidden />
              </Button>
            </div>
          ))}
          <div>
            <Button
              size="sm"
              onClick={() =>
                setPrices((list) => [
                  ...list,
                  { model: provider.defaultModel ?? '', inputPerMTok: 0, outputPerMTok: 0 },
                ])
              }
            >
              <Plus size={14} aria-hidden /> Add a price
            </Button>
          </div>
        </fieldset>
        {update.error && <Alert>{errorText(update.error)}</Alert>}
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={update.isPending}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
