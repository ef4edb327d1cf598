// A reply as it streams in: follows chat.stream (SSE), which resumes by itself after a dropped connection.
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { useTRPC } from './trpc.ts';

export function LiveReply({ messageId, onDone }: { messageId: string; onDone: () => void }) {
  const trpc = useTRPC();
  const [text, setText] = useState('');
  useSubscription(
    trpc.chat.stream.subscriptionOptions(
      { messageId },
      {
        onData({ data }) {
          if (data.type === 'text-delta') setText((t) => t + data.delta);
          else onDone();
        },
      },
    ),
  );
  return (
    <div className="body">
      <p className="text">{text}</p>
      <p className="muted status">Writing…</p>
    </div>
  );
}
