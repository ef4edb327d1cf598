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

const ESCAPE_SEQUENCE = /\x1b\[[0-9;]*[A-Za-z~]/g;

/**
 * Asks on stderr and reads one line from the terminal without echoing it (raw mode). Backspace deletes, Enter
 * ends, Ctrl-C cancels (exit 130 is the shell's convention for an interrupt).
 */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let answer = '';
    const finish = (outcome: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8').replace(ESCAPE_SEQUENCE, '')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(answer));
        if (char === '\u0003') return finish(() => reject(new CliError('Cancelled.', 130)));
        if (char === '\u0004' && answer === '') return finish(() => resolve(answer));
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else if (char >= ' ') answer += char;
      }
    };
    stdin.setRawMode(true);
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
