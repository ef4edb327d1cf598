// A message in place: an error with what to do next, or a notice.
import type { ReactNode } from 'react';
import { cn } from './cn.ts';

export function Alert({ tone = 'error', children }: { tone?: 'error' | 'info' | 'ok'; children: ReactNode }) {
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={cn(
        'rounded-lg border px-3 py-2 text-sm',
        tone === 'error' && 'border-danger/40 bg-danger/10 text-danger',
        tone === 'info' && 'border-border bg-surface text-fg',
        tone === 'ok' && 'border-ok/40 bg-ok/10 text-ok',
      )}
    >
      {children}
    </div>
  );
}
