// The routes: signed out, the sign-in page at any address (the address is kept, so signing in lands there);
// signed in, a new chat at /, a chat at /c/:chatId, a settings page at /settings/<page>, and a not-found page.
import { Navigate, Route, Routes } from 'react-router';
import { authClient } from './auth.ts';
import { ChatPage } from './chat/ChatPage.tsx';
import { NewChatPage } from './chat/NewChatPage.tsx';
import { AppShell } from './layout/AppShell.tsx';
import { NotFound } from './NotFound.tsx';
import { SignIn } from './SignIn.tsx';
import { AccountPage } from './settings/AccountPage.tsx';
import { ApiKeysPage } from './settings/ApiKeysPage.tsx';
import { DataPage } from './settings/DataPage.tsx';
import { PasswordPage } from './settings/PasswordPage.tsx';
import { PreferencesPage } from './settings/PreferencesPage.tsx';
import { ProfilePage } from './settings/ProfilePage.tsx';
import { ProvidersPage } from './settings/ProvidersPage.tsx';
import { SessionsPage } from './settings/SessionsPage.tsx';
import { SettingsLayout } from './settings/SettingsLayout.tsx';
import { UsagePage } from './settings/UsagePage.tsx';

export function App() {
  const session = authClient.useSession();
  if (session.isPending) {
    return (
      <div className="flex h-dvh items-center justify-center text-muted" role="status">
        Loading…
      </div>
    );
  }
  if (!session.data) return <SignIn />;
  return (
    <AppShell email={session.data.user.email}>
      <Routes>
        <Route path="/" element={<NewChatPage />} />
        <Route path="/c/:chatId" element={<ChatPage />} />
        <Route path="/settings" element={<SettingsLayout />}>
          <Route index element={<Navigate to="profile" replace />} />
          <Route path="profile" element={<ProfilePage />} />
          <Route path="preferences" element={<PreferencesPage />} />
          <Route path="providers" element={<ProvidersPage />} />
          <Route path="usage" element={<UsagePage />} />
          <Route path="sessions" element={<SessionsPage />} />
          <Route path="api-keys" element={<ApiKeysPage />} />
          <Route path="data" element={<DataPage />} />
          <Route path="password" element={<PasswordPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Routes>
    </AppShell>
  );
}
