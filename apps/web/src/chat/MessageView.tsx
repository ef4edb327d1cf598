// One message: the question as the user wrote it, or the reply as markdown, with its actions (copy, regenerate,
// stop, the ‹ 2/3 › switch between regenerated replies) and its state (writing, stopped, failed with what to do).
import { Check, ChevronLeft, ChevronRight, Copy, GitBranch, Pencil, RefreshCw, Square } from 'lucide-react';
import { useId, useState } from 'react';
import { replyErrorHint } from '../errors.ts';
import { Button } from '../ui/Button.tsx';
import { cn } from '../ui/cn.ts';
import { useCopy } from '../ui/useCopy.ts';
import { Markdown } from './Markdown.tsx';

type Status = 'pending' | 'streaming' | 'complete' | 'stopped' | 'error';
export interface Branch {
  /** 0-based place among the siblings, and how many there are. */
  index: number;
  count: number;
  onSelect: (index: number) => void;
}

export interface MessageViewProps {
  author: 'user' | 'assistant';
  text: string;
  status: Status;
  model?: string | null;
  error?: string | null;
  branch?: Branch;
  /** A reply is being written: no edit or switch meanwhile. */
  busy?: boolean;
  /** Edit and resend (a question): the new text goes in as a new branch beside this one. */
  onEdit?: (text: string) => void;
  onRegenerate?: () => void;
  onStop?: () => void;
  /** A new chat holding the conversation up to this message. */
  onFork?: () => void;
}

export function MessageView(props: MessageViewProps) {
  return props.author === 'user' ? <UserMessage {...props} /> : <AssistantMessage {...props} />;
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, copy] = useCopy();
  return (
    <Button size="icon" variant="ghost" onClick={() => copy(text)} aria-label={copied ? 'Copied' : label}>
      {copied ? <Check size={16} aria-hidden /> : <Copy size={16} aria-hidden />}
    </Button>
  );
}

function UserMessage({ text, branch, busy = false, onEdit }: MessageViewProps) {
  const [editing, setEditing] = useState(false);
  if (editing && onEdit) {
    return (
      <li className="flex flex-col items-end" data-author="user">
        <EditForm
          text={text}
          onCancel={() => setEditing(false)}
          onSubmit={(value) => {
            setEditing(false);
            onEdit(value);
          }}
        />
      </li>
    );
  }
  return (
    <li className="group flex flex-col items-end gap-1" data-author="user">
      <div className="max-w-[85%] rounded-2xl bg-surface px-4 py-2.5 whitespace-pre-wrap" data-testid="message-text">
        {text}
      </div>
      <div
        className={cn(
          'flex items-center gap-1 text-muted',
          !(branch && branch.count > 1) && 'sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100',
        )}
      >
        {branch && branch.count > 1 && <BranchSwitch branch={branch} disabled={busy} noun="version" />}
        <CopyButton text={text} label="Copy message" />
        {onEdit && (
          <Button
            size="icon"
            variant="ghost"
            aria-label="Edit and resend"
            disabled={busy}
            onClick={() => setEditing(true)}
          >
            <Pencil size={16} aria-hidden />
          </Button>
        )}
      </div>
    </li>
  );
}

function EditForm({
  text,
  onCancel,
  onSubmit,
}: {
  text: string;
  onCancel: () => void;
  onSubmit: (text: string) => void;
}) {
  const [value, setValue] = useState(text);
  const id = useId();
  return (
    <form
      className="flex w-full max-w-[85%] flex-col gap-2 rounded-2xl border border-border bg-raised p-3"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) onSubmit(value.trim());
      }}
    >
      <label htmlFor={id} className="sr-only">
        Edit your message
      </label>
      <textarea
        id={id}
        value={value}
        rows={3}
        // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this message
        autoFocus
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
          else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            event.currentTarget.form?.requestSubmit();
          }
        }}
        className="w-full resize-y bg-transparent text-[15px] outline-none focus-visible:outline-none"
      />
      <div className="flex justify-end gap-2">
        <Button size="sm" onClick={onCancel}>
          Cancel
        </Button>
        <Button size="sm" variant="primary" type="submit" disabled={!value.trim()}>
          Send
        </Button>
      </div>
    </form>
  );
}

function AssistantMessage({ text, status, model, error, branch, onRegenerate, onStop, onFork }: MessageViewProps) {
  const streaming = status === 'streaming' || status === 'pending';
  return (
    <li className="flex flex-col gap-1" data-author="assistant" data-status={status} aria-busy={streaming}>
      <div className="text-xs font-medium text-muted">{model ?? 'Assistant'}</div>
      <div data-testid="message-text">{text ? <Markdown text={text} /> : streaming ? <TypingDots /> : null}</div>
      {status === 'stopped' && <p className="text-xs text-muted">Stopped</p>}
      {status === 'error' && (
        <div role="status" className="rounded-lg border border-danger/40 bg-danger/10 px-3 py-2 text-sm text-danger">
          <strong>The reply failed:</strong> {error ?? 'unknown error'}. {replyErrorHint(error ?? null)}
        </div>
      )}
      <div className="flex flex-wrap items-center gap-1 text-muted">
        {branch && branch.count > 1 && <BranchSwitch branch={branch} disabled={streaming} noun="reply" />}
        {streaming && onStop && (
          <Button size="sm" variant="secondary" onClick={onStop}>
            <Square size={14} aria-hidden /> Stop
          </Button>
        )}
        {!streaming && <CopyButton text={text} label="Copy reply" />}
        {!streaming && onFork && (
          <Button size="icon" variant="ghost" onClick={onFork} aria-label="Fork into a new chat">
            <GitBranch size={16} aria-hidden />
          </Button>
        )}
        {!streaming && onRegenerate && (
          <Button size="icon" variant="ghost" onClick={onRegenerate} aria-label="Regenerate">
            <RefreshCw size={16} aria-hidden />
          </Button>
        )}
      </div>
    </li>
  );
}

function BranchSwitch({ branch, disabled, noun }: { branch: Branch; disabled: boolean; noun: 'reply' | 'version' }) {
  return (
    <fieldset className="flex items-center text-xs">
      <legend className="sr-only">{noun === 'reply' ? 'Other replies' : 'Other versions of this message'}</legend>
      <Button
        size="icon"
        variant="ghost"
        aria-label={`Previous ${noun}`}
        disabled={branch.index === 0 || disabled}
        onClick={() => branch.onSelect(branch.index - 1)}
      >
        <ChevronLeft size={16} aria-hidden />
      </Button>
      <span data-testid="branch-position">
        {branch.index + 1}/{branch.count}
      </span>
      <Button
        size="icon"
        variant="ghost"
        aria-label={`Next ${noun}`}
        disabled={branch.index === branch.count - 1 || disabled}
        onClick={() => branch.onSelect(branch.index + 1)}
      >
        <ChevronRight size={16} aria-hidden />
      </Button>
    </fieldset>
  );
}

function TypingDots() {
  return (
    <span className="inline-flex gap-1 py-2" role="status" aria-label="Writing">
      <span className="h-2 w-2 animate-pulse rounded-full bg-muted" />
      <span className="h-2 w-2 animate-pulse rounded-full bg-muted [animation-delay:150ms]" />
      <span className="h-2 w-2 animate-pulse rounded-full bg-muted [animation-delay:300ms]" />
    </span>
  );
}
