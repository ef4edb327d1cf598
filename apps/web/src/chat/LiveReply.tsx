// A reply that was already streaming when the page opened (after a reload, or from another tab): follows chat.stream,
// which replays what was written so far and resumes by itself after a dropped connection.
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc.ts';
import { useBufferedText } from './useBufferedText.ts';

export function useLiveReply(messageId: string, onDone: () => void): string {
  const trpc = useTRPC();
  const [text, append] = useBufferedText();
  const [done, setDone] = useState(false);
  useSubscription(
    trpc.chat.stream.subscriptionOptions(
      { messageId },
      {
        enabled: !done,
        onData({ data }) {
          if (data.type === 'text-delta') append(data.delta);
          else {
            setDone(true);
            onDone();
          }
        },
      },
    ),
  );
  return text;
}
