// Code highlighting, loaded the first time a code block is shown (not in the first page load): shiki's core with its
// JavaScript regex engine (no wasm), a light and a dark theme (GitHub's "default" pair: their colours keep a 4.5:1
// contrast on our code background), and each language's grammar on its first use.
import type { HighlighterCore, ThemedToken } from 'shiki/core';

type Grammar = () => Promise<{ default: unknown }>;
const GRAMMARS: Record<string, Grammar> = {
  javascript: () => import('shiki/langs/javascript.mjs'),
  typescript: () => import('shiki/langs/typescript.mjs'),
  jsx: () => import('shiki/langs/jsx.mjs'),
  tsx: () => import('shiki/langs/tsx.mjs'),
  json: () => import('shiki/langs/json.mjs'),
  python: () => import('shiki/langs/python.mjs'),
  shellscript: () => import('shiki/langs/shellscript.mjs'),
  html: () => import('shiki/langs/html.mjs'),
  css: () => import('shiki/langs/css.mjs'),
  sql: () => import('shiki/langs/sql.mjs'),
  go: () => import('shiki/langs/go.mjs'),
  rust: () => import('shiki/langs/rust.mjs'),
  java: () => import('shiki/langs/java.mjs'),
  c: () => import('shiki/langs/c.mjs'),
  cpp: () => import('shiki/langs/cpp.mjs'),
  csharp: () => import('shiki/langs/csharp.mjs'),
  ruby: () => import('shiki/langs/ruby.mjs'),
  php: () => import('shiki/langs/php.mjs'),
  yaml: () => import('shiki/langs/yaml.mjs'),
  diff: () => import('shiki/langs/diff.mjs'),
  docker: () => import('shiki/langs/docker.mjs'),
  toml: () => import('shiki/langs/toml.mjs'),
  kotlin: () => import('shiki/langs/kotlin.mjs'),
  swift: () => import('shiki/langs/swift.mjs'),
};
const ALIASES: Record<string, string> = {
  js: 'javascript',
  mjs: 'javascript',
  ts: 'typescript',
  py: 'python',
  sh: 'shellscript',
  bash: 'shellscript',
  shell: 'shellscript',
  zsh: 'shellscript',
  console: 'shellscript',
  yml: 'yaml',
  rs: 'rust',
  golang: 'go',
  'c++': 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  dockerfile: 'docker',
  kt: 'kotlin',
  patch: 'diff',
};

let highlighter: Promise<HighlighterCore> | undefined;

function load(): Promise<HighlighterCore> {
  highlighter ??= Promise.all([import('shiki/core'), import('shiki/engine/javascript')]).then(([core, engine]) =>
    core.createHighlighterCore({
      themes: [import('shiki/themes/github-light-default.mjs'), import('shiki/themes/github-dark-default.mjs')],
      langs: [],
      engine: engine.createJavaScriptRegexEngine(),
    }),
  );
  return highlighter;
}

export function languageOf(name: string | undefined): string | undefined {
  const lower = name?.toLowerCase();
  if (!lower) return undefined;
  const id = ALIASES[lower] ?? lower;
  return id in GRAMMARS ? id : undefined;
}

/** Tokens with both themes' colours (`color` and `--shiki-dark`), or null for a language we do not highlight. */
export async function highlight(code: string, language: string | undefined): Promise<ThemedToken[][] | null> {
  const id = languageOf(language);
  const grammar = id ? GRAMMARS[id] : undefined;
  if (!id || !grammar) return null;
  const shiki = await load();
  if (!shiki.getLoadedLanguages().includes(id)) {
    await shiki.loadLanguage(grammar as Parameters<HighlighterCore['loadLanguage']>[0]);
  }
  return shiki.codeToTokens(code, { lang: id, themes: { light: 'github-light-default', dark: 'github-dark-default' } })
    .tokens;
}
