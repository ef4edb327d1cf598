// Reading what a person types or pipes in: a message or an API key from stdin, or a key from a prompt that does not
// echo it. A key is never taken from the command line, where shells keep it in their history and pnpm echoes it.
import { CliError, EXIT } from './errors.ts';

export function stdinIsTerminal(): boolean {
  return Boolean(process.stdin.isTTY);
}

/** All of stdin as text (a pipe, a file, or a terminal until Ctrl-D). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The text without the line break(s) a pipe or Ctrl-D leaves at its end. */
export function withoutFinalNewline(text: string): string {
  return text.replace(/(?:\r?\n)+$/, '');
}

/** Arrow keys and the like: ignored at the prompt. */
const ESCAPE_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z~]`, 'g');

export interface Typed {
  answer: string;
  /** Set once Enter (or Ctrl-D on an empty line) ended the line, or Ctrl-C cancelled it. */
  end?: 'enter' | 'cancel';
}

/** What a chunk of keystrokes does to the line typed so far: Backspace deletes, Enter ends, Ctrl-C cancels. */
export function applyKeys(answer: string, chunk: string): Typed {
  let line = answer;
  for (const char of chunk.replace(ESCAPE_SEQUENCE, '')) {
    if (char === '\r' || char === '\n') return { answer: line, end: 'enter' };
    if (char === '\u0003') return { answer: line, end: 'cancel' };
    if (char === '\u0004' && line === '') return { answer: line, end: 'enter' };
    if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
    else if (char >= ' ') line += char;
  }
  return { answer: line };
}

/**
 * Asks on stderr and reads one line from the terminal without echoing it (raw mode). Ctrl-C cancels with exit 130,
 * the shell's code for an interrupt.
 */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the question shows: the terminal applies the change only once pending output is sent, and a
  // key pasted as soon as the question appears would otherwise be echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let answer = '';
    const onData = (chunk: Buffer) => {
      const typed = applyKeys(answer, chunk.toString('utf8'));
      answer = typed.answer;
      if (!typed.end) return;
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (typed.end === 'enter') resolve(answer);
      else reject(new CliError('Cancelled.', 130));
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** A secret from stdin: the hidden prompt on a terminal, else the first line of what is piped in. */
export async function readSecret(question: string, what: string): Promise<string> {
  const raw = stdinIsTerminal() ? await promptHidden(question) : (await readStdin()).split(/\r?\n/)[0];
  const secret = (raw ?? '').trim();
  if (!secret) throw new CliError(`No ${what} given: type it at the prompt, or pipe it in on stdin.`, EXIT.USAGE);
  return secret;
}
