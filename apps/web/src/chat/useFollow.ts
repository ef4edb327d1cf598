// Follows the bottom of a scrolling list while it grows (a reply streaming in), unless the user scrolls up; then
// "jump to latest" brings them back, and so does scrolling down to the bottom. Only a scroll upwards stops following:
// content that grows or shrinks moves the distance to the bottom without the user asking for anything.
import { useCallback, useEffect, useRef, useState } from 'react';

const NEAR = 64;

export function useFollow() {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const follow = useCallback((value: boolean) => {
    following.current = value;
    setAtBottom(value);
  }, []);

  const jump = useCallback(
    (smooth = false) => {
      const el = scroller.current;
      if (!el) return;
      follow(true);
      el.scrollTo({ top: el.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    },
    [follow],
  );

  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner) return;
    let lastTop = el.scrollTop;
    const onScroll = () => {
      const top = el.scrollTop;
      if (el.scrollHeight - top - el.clientHeight < NEAR) follow(true);
      else if (top < lastTop - 2) follow(false);
      lastTop = top;
    };
    const observer = new ResizeObserver(() => {
      if (following.current) el.scrollTop = el.scrollHeight;
    });
    el.addEventListener('scroll', onScroll, { passive: true });
    observer.observe(inner);
    observer.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, [follow]);

  return { scroller, content, atBottom, jump };
}
