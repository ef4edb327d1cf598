// The message to show for a failed call: field errors when the input was refused, else the error's own message.
import { TRPCClientError } from '@trpc/client';

export function errorText(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const fields = (error.data as { zodError?: { fieldErrors?: Record<string, string[] | undefined> } } | undefined)
      ?.zodError?.fieldErrors;
    const details = fields
      ? Object.entries(fields).map(([field, messages]) => `${field}: ${messages?.join(', ')}`)
      : [];
    return details.length > 0 ? details.join('; ') : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
