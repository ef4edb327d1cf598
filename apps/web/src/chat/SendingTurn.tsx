// A question just sent and its reply streaming in, over one request (chat.sendAndStream): no second round trip
// before the first token. A dropped connection resumes by itself (the same clientRequestId, the last event id).
import type { RouterInputs } from '@parley/shared';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc.ts';
import { MessageView } from './MessageView.tsx';
import { useBufferedText } from './useBufferedText.ts';

export type SendInput = RouterInputs['chat']['send'] & { clientRequestId: string };

export interface SendingTurnProps {
  input: SendInput;
  /** The reply's id once the server has stored it (stop needs it). */
  onStarted: (assistantMessageId: string) => void;
  onDone: () => void;
  /** The question was refused (no provider, over the quota, …): nothing was stored. */
  onError: (error: unknown) => void;
  onStop: () => void;
}

export function SendingTurn({ input, onStarted, onDone, onError, onStop }: SendingTurnProps) {
  const trpc = useTRPC();
  const [text, append] = useBufferedText();
  const [model, setModel] = useState<string | null>(null);
  const [finished, setFinished] = useState(false);
  useSubscription(
    trpc.chat.sendAndStream.subscriptionOptions(input, {
      enabled: !finished,
      onData({ data }) {
        if (data.type === 'started') {
          setModel(data.assistantMessage.model);
          onStarted(data.assistantMessage.id);
        } else if (data.type === 'text-delta') append(data.delta);
        else {
          setFinished(true);
          onDone();
        }
      },
      onError(error) {
        setFinished(true);
        onError(error);
      },
    }),
  );
  return (
    <>
      <MessageView author="user" text={input.text} status="complete" />
      <MessageView author="assistant" text={text} status="streaming" model={model} onStop={onStop} />
    </>
  );
}
