// A message of the conversation with what can be done to it: switch among its siblings (chat.selectBranch), edit
// and resend a question, regenerate the last reply, stop one being written (followed live through chat.stream).
import { useLiveReply } from './LiveReply.tsx';
import { MessageView } from './MessageView.tsx';
import type { PathItem } from './path.ts';

export interface PathMessageProps {
  message: PathItem;
  isLastReply: boolean;
  busy: boolean;
  onSelectBranch: (messageId: string) => void;
  onEdit: (message: PathItem, text: string) => void;
  onRegenerate: (messageId: string) => void;
  onStop: (messageId: string) => void;
  onFork: (messageId: string) => void;
  onDone: () => void;
}

export function PathMessage({
  message,
  isLastReply,
  busy,
  onSelectBranch,
  onEdit,
  onRegenerate,
  onStop,
  onFork,
  onDone,
}: PathMessageProps) {
  if (message.status === 'streaming') return <LiveMessage message={message} onStop={onStop} onDone={onDone} />;
  const { siblingIds } = message;
  const branch =
    siblingIds.length > 1
      ? {
          index: siblingIds.indexOf(message.id),
          count: siblingIds.length,
          onSelect: (i: number) => {
            const id = siblingIds[i];
            if (id) onSelectBranch(id);
          },
        }
      : undefined;
  return (
    <MessageView
      author={message.role}
      text={message.text}
      status={message.status}
      model={message.model}
      error={message.error}
      branch={branch}
      busy={busy}
      onEdit={message.role === 'user' ? (text) => onEdit(message, text) : undefined}
      onRegenerate={message.role === 'assistant' && isLastReply ? () => onRegenerate(message.id) : undefined}
      onFork={message.role === 'assistant' ? () => onFork(message.id) : undefined}
    />
  );
}

/** A reply still being written when the page opened: its text so far, then the rest as it comes. */
function LiveMessage({
  message,
  onStop,
  onDone,
}: {
  message: PathItem;
  onStop: (id: string) => void;
  onDone: () => void;
}) {
  const text = useLiveReply(message.id, onDone);
  return (
    <MessageView
      author="assistant"
      text={text}
      status="streaming"
      model={message.model}
      onStop={() => onStop(message.id)}
    />
  );
}
