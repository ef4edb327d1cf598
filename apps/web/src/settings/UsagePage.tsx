// Usage: tokens and replies over a period, in total and by model, with a bar per model.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc.ts';
import { Card } from '../ui/Card.tsx';
import { SelectField } from '../ui/Field.tsx';

const PERIODS = [
  { days: 1, label: 'Today' },
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 365, label: 'Last 12 months' },
];

const number = new Intl.NumberFormat();

export function UsagePage() {
  const trpc = useTRPC();
  const [days, setDays] = useState(30);
  const from = new Date(Date.now() - (days - 1) * 86_400_000);
  from.setHours(0, 0, 0, 0);
  const usage = useQuery(trpc.users.usage.queryOptions({ from }));
  const providers = useQuery(trpc.providers.list.queryOptions());
  const nameOf = (id: string | null) => providers.data?.find((p) => p.id === id)?.name ?? 'deleted provider';
  const rows = [...(usage.data?.byModel ?? [])].sort(
    (a, b) => b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens),
  );
  const max = Math.max(1, ...rows.map((r) => r.inputTokens + r.outputTokens));
  const totals = usage.data?.totals;
  return (
    <Card title="Usage" description="Tokens your replies used, counted when each reply ends.">
      <div className="max-w-xs">
        <SelectField label="Period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {PERIODS.map((p) => (
            <option key={p.days} value={p.days}>
              {p.label}
            </option>
          ))}
        </SelectField>
      </div>
      <dl className="grid grid-cols-3 gap-3" aria-label="Totals">
        {[
          ['Replies', totals?.messages],
          ['Input tokens', totals?.inputTokens],
          ['Output tokens', totals?.outputTokens],
        ].map(([label, value]) => (
          <div key={label as string} className="rounded-lg border border-border p-3">
            <dt className="text-xs text-muted">{label}</dt>
            <dd className="mt-1 text-xl font-semibold tabular-nums">
              {value === undefined ? '…' : number.format(value as number)}
            </dd>
          </div>
        ))}
      </dl>
      <div>
        <h3 className="mb-2 text-sm font-medium">By model</h3>
        {rows.length === 0 && <p className="text-sm text-muted">No replies in this period.</p>}
        <ul className="flex flex-col gap-3" aria-label="Usage by model">
          {rows.map((r) => {
            const total = r.inputTokens + r.outputTokens;
            return (
              <li key={`${r.providerId}/${r.model}`} className="text-sm">
                <div className="flex justify-between gap-2">
                  <span className="truncate">
                    {r.model ?? 'unknown model'} <span className="text-muted">· {nameOf(r.providerId)}</span>
                  </span>
                  <span className="shrink-0 text-muted tabular-nums">
                    {number.format(total)} tokens · {number.format(r.messages)} replies
                  </span>
                </div>
                <div className="mt-1 h-2 rounded-full bg-surface" aria-hidden>
                  <div className="h-2 rounded-full bg-accent" style={{ width: `${(total / max) * 100}%` }} />
                </div>
              </li>
            );
          })}
        </ul>
      </div>
    </Card>
  );
}
