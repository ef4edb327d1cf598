// Settings: a page per subject, each at its own address (/settings/<page>), listed beside (or above, on phones).
import { NavLink, Outlet, useLocation } from 'react-router';
import { cn } from '../ui/cn.ts';
import { useTitle } from '../ui/useTitle.ts';

export const SETTINGS_PAGES = [
  { path: 'profile', label: 'Profile' },
  { path: 'preferences', label: 'Preferences' },
  { path: 'providers', label: 'Providers' },
  { path: 'usage', label: 'Usage' },
  { path: 'sessions', label: 'Sessions' },
  { path: 'api-keys', label: 'API keys' },
  { path: 'data', label: 'Your data' },
  { path: 'password', label: 'Password' },
  { path: 'account', label: 'Delete account' },
] as const;

export function SettingsLayout() {
  const { pathname } = useLocation();
  const page = SETTINGS_PAGES.find((p) => pathname.startsWith(`/settings/${p.path}`));
  useTitle(page ? `${page.label} · Settings` : 'Settings');
  return (
    <div className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto flex w-full max-w-5xl flex-col gap-6 p-4 md:flex-row md:p-8">
        <nav aria-label="Settings" className="md:w-48 md:shrink-0">
          <h1 className="mb-3 px-2 text-xl font-semibold">Settings</h1>
          <ul className="-mx-1 flex gap-1 overflow-x-auto pb-1 md:flex-col md:overflow-visible">
            {SETTINGS_PAGES.map((page) => (
              <li key={page.path} className="shrink-0">
                <NavLink
                  to={`/settings/${page.path}`}
                  className={({ isActive }) =>
                    cn(
                      'block rounded-md px-2 py-1.5 text-sm whitespace-nowrap hover:bg-surface',
                      isActive && 'bg-surface font-medium',
                    )
                  }
                >
                  {page.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="flex min-w-0 flex-1 flex-col gap-6">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
