// Light, dark or the system's theme: three pressed-state buttons.
import { Monitor, Moon, Sun } from 'lucide-react';
import { type ThemeChoice, useTheme } from '../theme.ts';
import { cn } from '../ui/cn.ts';

const CHOICES: { value: ThemeChoice; label: string; Icon: typeof Sun }[] = [
  { value: 'system', label: 'System theme', Icon: Monitor },
  { value: 'light', label: 'Light theme', Icon: Sun },
  { value: 'dark', label: 'Dark theme', Icon: Moon },
];

export function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  return (
    <fieldset className="inline-flex rounded-lg border border-border p-0.5">
      <legend className="sr-only">Theme</legend>
      {CHOICES.map(({ value, label, Icon }) => (
        <button
          key={value}
          type="button"
          aria-label={label}
          aria-pressed={theme === value}
          onClick={() => setTheme(value)}
          className={cn(
            'cursor-pointer rounded-md p-1.5 text-muted hover:text-fg',
            theme === value && 'bg-surface text-fg',
          )}
        >
          <Icon size={14} aria-hidden />
        </button>
      ))}
    </fieldset>
  );
}
