// Usage: tokens and replies over a period, by day and by model, and the spend cap with what is left of it.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc.ts';
import { Card } from '../ui/Card.tsx';
import { SelectField } from '../ui/Field.tsx';
import { LimitsCard } from './LimitsCard.tsx';

const PERIODS = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
];

export const number = new Intl.NumberFormat();

export function UsagePage() {
  const trpc = useTRPC();
  const [days, setDays] = useState(30);
  // Whole UTC days, the server's unit: from the start of the first day shown.
  const today = new Date(new Date().toISOString().slice(0, 10));
  const from = new Date(today.getTime() - (days - 1) * 86_400_000);
  const byModel = useQuery(trpc.users.usage.queryOptions({ from, groupBy: 'model' }));
  const byDay = useQuery(trpc.users.usage.queryOptions({ from, groupBy: 'day' }));
  const totals = byModel.data?.totals;
  return (
    <>
      <Card title="Usage" description="Tokens your replies used, counted when each reply ends (UTC days).">
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
          {(
            [
              ['Replies', totals?.messages],
              ['Input tokens', totals?.inputTokens],
              ['Output tokens', totals?.outputTokens],
            ] as const
          ).map(([label, value]) => (
            <div key={label} className="rounded-lg border border-border p-3">
              <dt className="text-xs text-muted">{label}</dt>
              <dd className="mt-1 text-lg font-semibold tabular-nums sm:text-xl">
                {value === undefined ? '…' : number.format(value)}
              </dd>
            </div>
          ))}
        </dl>
        <DayChart from={from} days={days} rows={byDay.data?.byDay ?? []} />
        <ModelBars rows={byModel.data?.byModel ?? []} />
      </Card>
      <LimitsCard />
    </>
  );
}

interface Counts {
  inputTokens: number;
  outputTokens: number;
  messages: number;
}

/** A column per day of the period (days without usage included), height by tokens. */
function DayChart({ from, days, rows }: { from: Date; days: number; rows: (Counts & { day: string })[] }) {
  const byDay = new Map(rows.map((r) => [r.day.slice(0, 10), r]));
  const columns = Array.from({ length: days }, (_, i) => {
    const day = new Date(from.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    const row = byDay.get(day);
    return { day, tokens: row ? row.inputTokens + row.outputTokens : 0 };
  });
  const max = Math.max(1, ...columns.map((c) => c.tokens));
  return (
    <figure>
      <figcaption className="mb-2 text-sm font-medium">Tokens by day</figcaption>
      <div className="flex h-32 items-end gap-px rounded-lg border border-border p-2" data-testid="day-chart">
        {columns.map((c) => (
          <div
            key={c.day}
            title={`${c.day}: ${number.format(c.tokens)} tokens`}
            className="min-w-0 flex-1 rounded-t-sm bg-accent"
            style={{
              height: `${Math.max(c.tokens > 0 ? 4 : 1, (c.tokens / max) * 100)}%`,
              opacity: c.tokens ? 1 : 0.2,
            }}
          />
        ))}
      </div>
      <div className="mt-1 flex justify-between text-xs text-muted">
        <span>{columns[0]?.day}</span>
        <span>{columns.at(-1)?.day}</span>
      </div>
    </figure>
  );
}

function ModelBars({ rows }: { rows: (Counts & { providerId: string | null; model: string | null })[] }) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.providers.list.queryOptions());
  const nameOf = (id: string | null) => providers.data?.find((p) => p.id === id)?.name ?? 'deleted provider';
  const sorted = [...rows].sort((a, b) => b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens));
  const max = Math.max(1, ...sorted.map((r) => r.inputTokens + r.outputTokens));
  return (
    <div>
      <h3 className="mb-2 text-sm font-medium">By model</h3>
      {sorted.length === 0 && <p className="text-sm text-muted">No replies in this period.</p>}
      <ul className="flex flex-col gap-3" aria-label="Usage by model">
        {sorted.map((r) => {
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
  );
}
