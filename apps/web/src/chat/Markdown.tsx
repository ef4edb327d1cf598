// A message's markdown (GFM: tables, task lists, strikethrough, autolinks), rendered safely as it streams: raw HTML
// is shown as text, links open in a new tab without the opener, and code blocks get CodeBlock.
import { memo } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { CodeBlock } from './CodeBlock.tsx';

const components: Components = {
  pre: ({ children }) => <>{children}</>,
  code({ className, children }) {
    const language = /language-([\w+#-]+)/.exec(className ?? '')?.[1];
    const text = String(children ?? '');
    // Inline code has no language and no line break; a fenced block always ends with one.
    if (!language && !text.includes('\n')) return <code>{children}</code>;
    return <CodeBlock code={text.replace(/\n$/, '')} language={language} />;
  },
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
};

const plugins = [remarkGfm];

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="md">
      <ReactMarkdown remarkPlugins={plugins} components={components} skipHtml={false}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
