// A fenced code block: the language, a copy button, and highlighting once the highlighter has loaded (plain text
// until then, and for languages it does not know). Tokens are React elements coloured through the CSSOM (the page's
// CSP allows no inline styles in markup). Their colours are plain `color` values for the current theme: as CSS
// custom properties (--shiki-light/--shiki-dark) Chromium showed later tokens of a line with an earlier token's
// light colour, on the element itself (React 19.3, Chromium 156).
import { Check, Copy } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { ThemedToken } from 'shiki/core';
import { useDark } from '../theme.ts';
import { useCopy } from '../ui/useCopy.ts';
import { highlight } from './highlight.ts';

export function CodeBlock({ code, language }: { code: string; language: string | undefined }) {
  const [tokens, setTokens] = useState<ThemedToken[][] | null>(null);
  const [copied, copy] = useCopy();
  const dark = useDark();
  useEffect(() => {
    let live = true;
    // While a reply streams, the block grows: highlight what is there after a short pause.
    const timer = setTimeout(() => {
      highlight(code, language).then(
        (result) => live && setTokens(result),
        () => live && setTokens(null),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [code, language]);

  return (
    <div className="not-prose my-3 overflow-hidden rounded-lg border border-border bg-code" data-testid="code-block">
      <div className="flex items-center justify-between border-b border-border px-3 py-1 text-xs text-muted">
        <span>{language ?? 'text'}</span>
        <button
          type="button"
          onClick={() => copy(code)}
          className="inline-flex cursor-pointer items-center gap-1 rounded px-1.5 py-0.5 hover:bg-surface"
          aria-label={copied ? 'Copied' : 'Copy code'}
        >
          {copied ? <Check size={14} aria-hidden /> : <Copy size={14} aria-hidden />}
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre className="overflow-x-auto p-3 text-[13px] leading-relaxed" data-highlighted={tokens ? 'true' : 'false'}>
        <code>
          {tokens
            ? tokens.map((line, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity but their place
                <span key={i} className="block">
                  {line.map((token, j) => (
                    <span
                      // biome-ignore lint/suspicious/noArrayIndexKey: tokens have no identity but their place
                      key={j}
                      className="shiki-token"
                      style={{ color: tokenColor(token, dark) }}
                    >
                      {token.content}
                    </span>
                  ))}
                  {line.length === 0 && '\n'}
                </span>
              ))
            : code}
        </code>
      </pre>
    </div>
  );
}

/** The token's colour in the page's theme (both are computed, with the same token boundaries). */
function tokenColor(token: ThemedToken, dark: boolean): string | undefined {
  const light = token.htmlStyle?.color ?? token.color;
  return dark ? (token.htmlStyle?.['--shiki-dark'] ?? light) : light;
}
