// Change password (Better Auth): the other sessions are signed out when it changes.
import { useState } from 'react';
import { authClient } from '../auth.ts';
import { Alert } from '../ui/Alert.tsx';
import { Button } from '../ui/Button.tsx';
import { Card } from '../ui/Card.tsx';
import { TextField } from '../ui/Field.tsx';

export function PasswordPage() {
  const [state, setState] = useState<{ busy: boolean; error: string | null; done: boolean }>({
    busy: false,
    error: null,
    done: false,
  });
  return (
    <Card title="Change password" description="Every other session is signed out when the password changes.">
      <form
        className="flex max-w-md flex-col gap-4"
        onSubmit={async (event) => {
          event.preventDefault();
          const formElement = event.currentTarget;
          const form = new FormData(formElement);
          const newPassword = String(form.get('newPassword'));
          if (newPassword !== String(form.get('confirm'))) {
            setState({ busy: false, error: 'The new passwords do not match.', done: false });
            return;
          }
          setState({ busy: true, error: null, done: false });
          const result = await authClient.changePassword({
            currentPassword: String(form.get('currentPassword')),
            newPassword,
            revokeOtherSessions: true,
          });
          if (result.error) setState({ busy: false, error: result.error.message ?? 'That did not work', done: false });
          else {
            setState({ busy: false, error: null, done: true });
            formElement.reset();
          }
        }}
      >
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          required
          autoComplete="current-password"
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
        />
        <TextField
          label="Repeat the new password"
          name="confirm"
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
        />
        {state.error && <Alert>{state.error}</Alert>}
        {state.done && <Alert tone="ok">Password changed.</Alert>}
        <div>
          <Button type="submit" variant="primary" disabled={state.busy}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}
