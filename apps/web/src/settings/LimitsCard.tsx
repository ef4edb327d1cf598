// The spend cap: tokens per day or month, what is used and held by replies being written, when it resets; the user
// may set a cap of their own (lower than what an admin allows).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorText } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';
import { SelectField, TextField } from '../ui/Field.tsx';

const number = new Intl.NumberFormat();

export function LimitsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const limits = useQuery(trpc.users.limits.queryOptions());
  const save = useMutation(
    trpc.users.setLimits.mutationOptions({
      onSuccess: (data) => queryClient.setQueryData(trpc.users.limits.queryKey(), data),
    }),
  );
  const data = limits.data;
  if (!data) return null;
  const used = data.usedTokens + data.reservedTokens;
  const left = data.maxTokens === null ? null : Math.max(0, data.maxTokens - used);
  return (
    <Card
      title="Spend cap"
      description="Sends that would go over the cap are refused before any provider is called. Leave your cap empty for none of your own."
    >
      {data.maxTokens === null ? (
        <p className="text-sm" data-testid="cap-summary">
          No cap: {number.format(data.usedTokens)} tokens used this {data.period}.
        </p>
      ) : (
        <div className="flex flex-col gap-2">
          <p className="text-sm" data-testid="cap-summary">
            {number.format(used)} of {number.format(data.maxTokens)} tokens used this {data.period}
            {data.reservedTokens > 0 && ` (${number.format(data.reservedTokens)} held by replies being written)`};{' '}
            {number.format(left ?? 0)} left. Resets {data.resetsAt.toLocaleString()}.
          </p>
          <div className="h-2 rounded-full bg-surface" aria-hidden>
            <div
              className="h-2 rounded-full bg-accent"
              style={{ width: `${Math.min(100, (used / Math.max(1, data.maxTokens)) * 100)}%` }}
            />
          </div>
        </div>
      )}
      <form
        className="flex flex-col gap-4 sm:flex-row sm:items-end"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const max = Number(String(form.get('maxTokens') ?? '').trim());
          save.mutate({
            period: form.get('period') === 'day' ? 'day' : 'month',
            maxTokens: max > 0 ? max : null,
          });
        }}
      >
        <SelectField label="Period" name="period" defaultValue={data.period}>
          <option value="day">Per day</option>
          <option value="month">Per month</option>
        </SelectField>
        <div className="flex-1">
          <TextField
            label="Your cap in tokens"
            name="maxTokens"
            type="number"
            min={1}
            defaultValue={data.maxTokens ?? ''}
          />
        </div>
        <Button type="submit" variant="primary" disabled={save.isPending}>
          Save cap
        </Button>
      </form>
      {save.error && <Alert>{errorText(save.error)}</Alert>}
    </Card>
  );
}
