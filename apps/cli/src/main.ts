// parley: the Parley API from the command line, authenticated with an API key (x-api-key). Runs as one bundled
// file (scripts/bundle.mjs, started by bin/parley.js). Exit codes: EXIT in errors.ts, listed in --help.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import * as commands from './commands.ts';
import { CliError, describeError, EXIT, exitCodeFor, formatError } from './errors.ts';
import { flushOutput, setUpColors, writeErr } from './output.ts';
import { VERSION } from './version.ts';

const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  failed (the reason is on stderr)
  2  the command line was wrong
  3  not logged in, or the server refused the API key
  4  a rate limit or quota said no; try again later

Colours only on a terminal; set NO_COLOR=1 for none.`;

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 100) throw new InvalidArgumentError('expected 1 to 100');
  return parsed;
}

function defineProviders(program: Command, session: commands.Session) {
  const providers = program.command('providers').description('your AI providers (their keys stay on the server)');
  providers
    .command('list')
    .description('list your providers')
    .action(() => commands.listProviders(session));
  providers
    .command('add')
    .description('add a provider')
    .addOption(new Option('--kind <kind>', 'provider kind').choices(commands.PROVIDER_KINDS).makeOptionMandatory())
    .requiredOption('--name <name>', 'a name you choose')
    .option('--base-url <url>', 'endpoint, e.g. http://127.0.0.1:11434/v1 (needed for openai-compatible)')
    .option('--api-key <key>', 'the provider API key, or - to type it hidden or pipe it in (stored encrypted)')
    .option('--model <model>', 'default model')
    .action((options: commands.AddProviderOptions) => commands.addProvider(session, options));
  providers
    .command('test')
    .description('check that a provider answers; exit code 1 when it does not')
    .argument('<id>', 'provider id')
    .action((id: string) => commands.testProvider(session, id));
  providers
    .command('remove')
    .description('delete a provider (when it was the default, the oldest remaining one becomes the default)')
    .argument('<id>', 'provider id')
    .action((id: string) => commands.removeProvider(session, id));
  providers
    .command('default')
    .description('use this provider when a chat names none (your first provider is the default until then)')
    .argument('<id>', 'provider id')
    .option('--model <model>', 'default model (else the provider’s own default model)')
    .action((id: string, options: { model?: string }) => commands.setDefaultProvider(session, id, options));
  program
    .command('models')
    .description('the models each of your providers offers, as the provider lists them')
    .action(() => commands.listModels(session));
}

function defineChats(program: Command, session: commands.Session) {
  const chats = program.command('chats').description('your conversations');
  chats
    .command('list')
    .description('list chats, most recently updated first')
    .option('--limit <n>', 'how many (1-100, default 20)', positiveInt)
    .option('--search <text>', 'only chats whose title matches')
    .option('--cursor <cursor>', 'the next page, as printed by the previous one')
    .option('--all', 'every page, one request per --limit chats')
    .action((options: { limit?: number; search?: string; cursor?: string; all?: boolean }) =>
      commands.listChats(session, options),
    );
  program
    .command('chat')
    .description('send a message and print the reply as it streams (starts a new chat unless --chat)')
    .argument('[text]', 'your message; `-` (or nothing, from a pipe) reads it from stdin')
    .option('--chat <id>', 'continue this chat')
    .option('--provider <id>', 'provider to use (else the chat’s, else your default)')
    .option('--model <model>', 'model to use')
    .action((text: string | undefined, options: commands.ChatOptions) => commands.chat(session, text, options));
}

export function buildProgram(session: commands.Session): Command {
  const program = new Command('parley')
    .description('Parley from the command line. Log in once with an API key; PARLEY_URL and PARLEY_API_KEY override.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'print machine-readable JSON (chat: one JSON event per line)')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.hook('preAction', (_command, action) => {
    session.json = Boolean(action.optsWithGlobals<{ json?: boolean }>().json);
  });
  program
    .command('login')
    .description(
      'check an API key against a server and save both (file mode 0600); the key is read from a hidden prompt or stdin',
    )
    .option('--url <url>', 'server base URL, e.g. http://127.0.0.1:3000 (or PARLEY_URL)')
    .addOption(new Option('--key <key>').hideHelp())
    .action((options: { url?: string; key?: string }) => {
      if (options.key !== undefined) {
        throw new CliError(
          'login does not take the key on the command line (shells keep it in their history and pnpm echoes it): type it at the prompt, or pipe it in: parley login --url <url> < key.txt',
          EXIT.USAGE,
        );
      }
      return commands.login(session, options);
    });
  program
    .command('logout')
    .description('forget the saved server and key')
    .action(() => commands.logout(session));
  program
    .command('whoami')
    .description('who the API key belongs to')
    .action(() => commands.whoami(session));
  defineProviders(program, session);
  defineChats(program, session);
  program
    .command('import')
    .description('import a ChatGPT conversations.json or a Parley export (again: nothing is added twice)')
    .argument('<file>', 'the file, streamed to the server')
    .addOption(
      new Option('--format <format>', 'chatgpt or parley (default: from the file)').choices(['chatgpt', 'parley']),
    )
    .action((file: string, options: { format?: commands.ImportFormat }) => commands.importFile(session, file, options));
  program
    .command('export')
    .description('everything you own as JSON, no secrets (parley export > parley.json)')
    .action(() => commands.exportData(session));
  return program;
}

async function main(args: string[]): Promise<number> {
  // `pnpm parley -- login …` passes the `--` through; after it commander would take every option for an argument.
  const userArgs = args[0] === '--' ? args.slice(1) : args;
  const session: commands.Session = {
    json: userArgs.includes('--json'),
    env: process.env,
    url: undefined,
    exitCode: EXIT.OK,
  };
  setUpColors(process.env);
  const program = buildProgram(session);
  try {
    await program.parseAsync(userArgs, { from: 'user' });
    return session.exitCode;
  } catch (error) {
    // Commander has already printed its own message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    const described = describeError(error, session.url);
    writeErr(session.json ? `${JSON.stringify({ error: described })}\n` : formatError(described));
    return exitCodeFor(error);
  }
}

// A reader that leaves early (`parley chats list | head -1`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.OK);
  throw error;
});
const code = await main(process.argv.slice(2));
await flushOutput();
process.exit(code);
