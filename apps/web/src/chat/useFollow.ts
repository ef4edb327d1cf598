// Follows the bottom of a scrolling list while it grows (a reply streaming in), unless the user has scrolled up;
// then "jump to latest" brings them back and following resumes.
import { useCallback, useEffect, useRef, useState } from 'react';

const NEAR = 64;

export function useFollow() {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const jump = useCallback((smooth = false) => {
    const el = scroller.current;
    if (!el) return;
    following.current = true;
    setAtBottom(true);
    el.scrollTo({ top: el.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
  }, []);

  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner) return;
    const onScroll = () => {
      const near = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR;
      following.current = near;
      setAtBottom(near);
    };
    const observer = new ResizeObserver(() => {
      if (following.current) el.scrollTop = el.scrollHeight;
      else setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight < NEAR);
    });
    el.addEventListener('scroll', onScroll, { passive: true });
    observer.observe(inner);
    return () => {
      el.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, []);

  return { scroller, content, atBottom, jump };
}
