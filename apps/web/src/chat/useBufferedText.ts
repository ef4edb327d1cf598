// Streamed text gathered between frames: many deltas a frame become one render (markdown is parsed once a frame).
import { useCallback, useEffect, useRef, useState } from 'react';

export function useBufferedText(): [string, (delta: string) => void] {
  const [text, setText] = useState('');
  const pending = useRef('');
  const frame = useRef(0);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  const append = useCallback((delta: string) => {
    pending.current += delta;
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const add = pending.current;
      pending.current = '';
      setText((t) => t + add);
    });
  }, []);
  return [text, append];
}
