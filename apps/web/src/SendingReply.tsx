// A question just sent and its reply streaming in, over one request (chat.sendAndStream): no second round trip
// before the first token. A dropped connection resumes by itself (the same clientRequestId, the last event id).
import type { RouterInputs } from '@parley/shared';
import { useMutation } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from './trpc.ts';

export type SendInput = RouterInputs['chat']['send'] & { clientRequestId: string };

export interface SendingReplyProps {
  input: SendInput;
  onDone: () => void;
  /** The question was refused (no provider, too long, …): nothing was stored. */
  onError: (error: unknown) => void;
}

export function SendingReply({ input, onDone, onError }: SendingReplyProps) {
  const trpc = useTRPC();
  const [text, setText] = useState('');
  const [started, setStarted] = useState<{ id: string; model: string | null } | null>(null);
  const stop = useMutation(trpc.chat.stop.mutationOptions());
  const subscription = useSubscription(
    trpc.chat.sendAndStream.subscriptionOptions(input, {
      onData({ data }) {
        if (data.type === 'started') setStarted(data.assistantMessage);
        else if (data.type === 'text-delta') setText((t) => t + data.delta);
        else onDone();
      },
      onError,
    }),
  );
  return (
    <>
      <li className="message user" data-status="complete">
        <span className="role">You</span>
        <div className="body">
          <p className="text">{input.text}</p>
        </div>
      </li>
      <li className="message assistant" data-status="streaming">
        <span className="role">{started?.model ?? 'Assistant'}</span>
        <div className="body">
          <p className="text">{text}</p>
          <p className="muted status">{subscription.status === 'connecting' ? 'Connecting…' : 'Writing…'}</p>
        </div>
        {started && (
          <button type="button" onClick={() => stop.mutate({ messageId: started.id })}>
            Stop
          </button>
        )}
      </li>
    </>
  );
}
