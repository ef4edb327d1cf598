// Sign in, or create an account (email and password, through Better Auth).
import { type FormEvent, useState } from 'react';
import { authClient } from './auth.ts';
import { ThemeToggle } from './layout/ThemeToggle.tsx';
import { Alert } from './ui/Alert.tsx';
import { Button } from './ui/Button.tsx';
import { TextField } from './ui/Field.tsx';

export function SignIn() {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    setBusy(true);
    setError(null);
    const result =
      mode === 'sign-up'
        ? await authClient.signUp.email({ email, password, name: String(form.get('name') || email.split('@')[0]) })
        : await authClient.signIn.email({ email, password });
    setBusy(false);
    if (result.error) setError(result.error.message ?? 'That did not work; try again');
  }

  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-6 bg-surface p-4">
      <form
        className="flex w-full max-w-sm flex-col gap-4 rounded-2xl border border-border bg-raised p-6 shadow-sm"
        onSubmit={submit}
      >
        <div>
          <p className="text-sm font-semibold tracking-tight text-accent">Parley</p>
          <h1 className="mt-1 text-xl font-semibold">{mode === 'sign-up' ? 'Create your account' : 'Sign in'}</h1>
        </div>
        {mode === 'sign-up' && <TextField label="Name" name="name" autoComplete="name" />}
        <TextField label="Email" name="email" type="email" required autoComplete="email" />
        <TextField
          label="Password"
          name="password"
          type="password"
          required
          minLength={8}
          autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
          hint={mode === 'sign-up' ? 'At least 8 characters; common passwords are refused.' : undefined}
        />
        {error && <Alert>{error}</Alert>}
        <Button type="submit" variant="primary" disabled={busy}>
          {mode === 'sign-up' ? 'Create account' : 'Sign in'}
        </Button>
        <button
          type="button"
          className="cursor-pointer text-sm text-accent underline"
          onClick={() => {
            setError(null);
            setMode(mode === 'sign-up' ? 'sign-in' : 'sign-up');
          }}
        >
          {mode === 'sign-up' ? 'I have an account' : 'Create an account'}
        </button>
      </form>
      <ThemeToggle />
    </main>
  );
}
