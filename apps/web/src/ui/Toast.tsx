// Short notices at the bottom of the screen, with an optional action (Undo), announced to screen readers.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import { Button } from './Button.tsx';

export interface ToastOptions {
  message: string;
  action?: { label: string; onClick: () => void };
  /** How long it stays, in ms. */
  duration?: number;
  onTimeout?: () => void;
}

interface Toast extends ToastOptions {
  id: number;
}

const ToastContext = createContext<(toast: ToastOptions) => void>(() => {});

export function useToast() {
  return useContext(ToastContext);
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  /** Toasts still showing: one that was acted on does not time out afterwards. */
  const live = useRef(new Set<number>());
  const dismiss = useCallback((id: number) => {
    live.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);
  const show = useCallback(
    (toast: ToastOptions) => {
      const id = next.current++;
      live.current.add(id);
      setToasts((list) => [...list, { ...toast, id }]);
      setTimeout(() => {
        if (!live.current.has(id)) return;
        dismiss(id);
        toast.onTimeout?.();
      }, toast.duration ?? 5000);
    },
    [dismiss],
  );
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div
        role="status"
        aria-live="polite"
        className="pointer-events-none fixed bottom-4 left-4 z-50 flex flex-col gap-2"
      >
        {toasts.map((toast) => (
          <div
            key={toast.id}
            className="pointer-events-auto flex items-center gap-3 rounded-lg border border-border bg-raised px-4 py-2.5 text-sm text-fg shadow-lg"
          >
            <span>{toast.message}</span>
            {toast.action && (
              <Button
                size="sm"
                variant="ghost"
                className="text-accent"
                onClick={() => {
                  toast.action?.onClick();
                  dismiss(toast.id);
                }}
              >
                {toast.action.label}
              </Button>
            )}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
