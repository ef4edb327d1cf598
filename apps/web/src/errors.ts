// What to tell the user about a failed call: field errors when the input was refused, else the error's message, and
// for the errors a user can act on, what to do next.
import { type AppCode, errorDataOf } from '@parley/shared';

export function errorText(error: unknown): string {
  const fields = errorDataOf(error)?.zodError?.fieldErrors;
  const details = fields ? Object.entries(fields).map(([field, messages]) => `${field}: ${messages?.join(', ')}`) : [];
  if (details.length > 0) return details.join('; ');
  return error instanceof Error ? error.message : String(error);
}

const NEXT_STEPS: Partial<Record<AppCode, { hint: string; link?: { to: string; label: string } }>> = {
  NO_PROVIDER: {
    hint: 'Add an AI provider to start chatting.',
    link: { to: '/settings/providers', label: 'Add a provider' },
  },
  QUOTA_EXCEEDED: {
    hint: 'You have used your token allowance for this period.',
    link: { to: '/settings/usage', label: 'See usage' },
  },
  RATE_LIMITED: { hint: 'Too many requests just now: wait a moment and try again.' },
  TOO_MANY_GENERATIONS: { hint: 'Other replies are still being written: wait for one to finish, or stop it.' },
  PROVIDER_UNREACHABLE: {
    hint: 'The provider did not answer. Check its address and key, then try again.',
    link: { to: '/settings/providers', label: 'Check providers' },
  },
  PROVIDER_NOT_FOUND: {
    hint: 'This chat’s provider was deleted: choose another one.',
    link: { to: '/settings/providers', label: 'Providers' },
  },
};

export function nextStep(error: unknown) {
  const code = errorDataOf(error)?.appCode;
  return code ? NEXT_STEPS[code] : undefined;
}

/** A reply's stored error (a string from the server) read for the same hints. */
export function replyErrorHint(text: string | null): string {
  const lower = (text ?? '').toLowerCase();
  if (lower.includes('quota') || lower.includes('limit')) return 'Wait for the limit to reset, or regenerate later.';
  if (lower.includes('key') || lower.includes('unauthor'))
    return 'Check the provider’s API key in Settings → Providers.';
  if (lower.includes('interrupt')) return 'The server stopped while writing: regenerate to try again.';
  return 'Regenerate to try again, or check the provider in Settings → Providers.';
}
