// Awaiting a call that must fail, and reading the domain error behind a tRPC error.
import { TRPCError } from '@trpc/server';
import { expect } from 'vitest';
import { AppError } from '../../src/shared/lib/errors.ts';

export async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/** The AppError a procedure threw, or undefined when the failure came from validation or tRPC itself. */
export function appErrorOf(error: TRPCError): AppError | undefined {
  return error.cause instanceof AppError ? error.cause : undefined;
}
