// The same commands from a terminal: `npx dify-gitops <command> [flags]`.
import { readCliSettings, type Settings } from './settings.js';
import { renderCommandHelp, renderUsage } from './settings/help.js';
import { COMMANDS, type Command } from './inputs.js';
import { createTerminalSink } from './report/sink.js';
import { runSafely } from './main.js';
import { describeError } from './support/errors.js';
import { redact } from './support/redact.js';
import { nearest } from './support/nearest.js';
import { VERSION } from './version.js';

export const USAGE = renderUsage();

const wantsHelp = (arg: string) => arg === 'help' || arg === '--help' || arg === '-h';
const isCommand = (arg: string): arg is Command => (COMMANDS as readonly string[]).includes(arg);

/** `error: unknown command "deplyo". Did you mean "deploy"?`, and where the list is. */
function unknownCommand(word: string): number {
  const guess = nearest(word, COMMANDS);
  const hint = guess ? ` Did you mean "${guess}"?` : '';
  process.stderr.write(`error: unknown command "${word}".${hint}\nRun "dify-gitops help" for the commands.\n`);
  return 2;
}

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === undefined || wantsHelp(command)) {
    // `help deploy`, `--help deploy`: that command's help; a mistyped topic gets a suggestion.
    const topic = rest.find((arg) => !arg.startsWith('-'));
    if (topic !== undefined && !isCommand(topic)) return unknownCommand(topic);
    process.stdout.write(`${topic ? renderCommandHelp(topic) : USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (!isCommand(command) && !command.startsWith('-')) return unknownCommand(command);
  if (isCommand(command) && rest.some(wantsHelp)) {
    process.stdout.write(`${renderCommandHelp(command)}\n`);
    return 0;
  }
  let settings: Settings;
  try {
    settings = readCliSettings(argv);
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n\n${USAGE}\n`);
    return 2;
  }
  const sink = createTerminalSink({ quiet: settings.json });
  const outcome = await runSafely(settings, sink, (message) => process.stderr.write(`error: ${redact(message)}\n`));
  if (settings.json && outcome.json !== undefined) process.stdout.write(`${JSON.stringify(outcome.json)}\n`);
  return outcome.exitCode;
}
