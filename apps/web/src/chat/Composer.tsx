// The composer: Enter sends, Shift+Enter starts a new line, Escape stops the reply being written. What is typed is
// kept per chat in this browser until it is sent (a draft survives switching chats and reloading).
import { ArrowUp, Square } from 'lucide-react';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { Button } from '../ui/Button.tsx';

const draftKey = (key: string) => `parley.draft.${key}`;

function readDraft(key: string): string {
  try {
    return localStorage.getItem(draftKey(key)) ?? '';
  } catch {
    return '';
  }
}

export function Composer({
  draft,
  busy,
  disabled,
  onSend,
  onStop,
  footer,
}: {
  /** Which draft this is (the chat's id, or "new"). */
  draft: string;
  busy: boolean;
  disabled?: boolean;
  /** Returning a promise that rejects gives the text back to the composer (nothing was sent). */
  onSend: (text: string) => unknown;
  onStop: () => void;
  footer?: ReactNode;
}) {
  const [text, setText] = useState(() => readDraft(draft));
  const area = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  useEffect(() => {
    try {
      if (text) localStorage.setItem(draftKey(draft), text);
      else localStorage.removeItem(draftKey(draft));
    } catch {
      // Storage full or off: the draft lives only in the page.
    }
  }, [draft, text]);

  // Grows with its text up to a third of the screen.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-measured whenever the text changes
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, window.innerHeight / 3)}px`;
  }, [text]);

  useEffect(() => {
    area.current?.focus();
  }, []);

  function send() {
    const value = text.trim();
    if (!value || busy || disabled) return;
    const sent = onSend(value);
    setText('');
    if (sent instanceof Promise) sent.catch(() => setText(value));
  }

  return (
    <form
      className="mx-auto w-full max-w-3xl px-3 pb-3 sm:px-4"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <div className="rounded-2xl border border-border bg-raised p-2 shadow-sm focus-within:border-accent">
        <label htmlFor={id} className="sr-only">
          Message
        </label>
        <textarea
          id={id}
          ref={area}
          rows={1}
          value={text}
          placeholder="Message Parley…"
          className="block max-h-[33vh] w-full resize-none bg-transparent px-2 py-1.5 text-[15px] outline-none placeholder:text-muted focus-visible:outline-none"
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              send();
            } else if (event.key === 'Escape' && busy) {
              event.preventDefault();
              onStop();
            }
          }}
        />
        <div className="flex items-center justify-between gap-2 pt-1">
          <div className="min-w-0 text-xs text-muted">{footer}</div>
          {busy ? (
            <Button variant="primary" size="icon" onClick={onStop} aria-label="Stop" className="rounded-full">
              <Square size={16} aria-hidden />
            </Button>
          ) : (
            <Button
              variant="primary"
              size="icon"
              type="submit"
              disabled={disabled || !text.trim()}
              aria-label="Send"
              className="rounded-full"
            >
              <ArrowUp size={18} aria-hidden />
            </Button>
          )}
        </div>
      </div>
      <p className="mt-1.5 hidden text-center text-xs text-muted sm:block">
        Enter to send · Shift+Enter for a new line · Esc to stop · Ctrl+Shift+O new chat · Ctrl+K search
      </p>
    </form>
  );
}
