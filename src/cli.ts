// The same commands from a terminal: `npx dify-gitops <command> [flags]`.
import { readCliSettings, type Settings } from './settings.js';
import { renderCommandHelp, renderUsage } from './settings/help.js';
import { COMMANDS, type Command } from './inputs.js';
import { createTerminalSink } from './report/sink.js';
import { runSafely } from './main.js';
import { describeError } from './support/errors.js';
import { redact } from './support/redact.js';

export const USAGE = renderUsage();

const wantsHelp = (arg: string) => arg === 'help' || arg === '--help' || arg === '-h';

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || wantsHelp(command)) {
    const topic = rest.find((arg): arg is Command => (COMMANDS as readonly string[]).includes(arg));
    process.stdout.write(`${topic ? renderCommandHelp(topic) : USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if ((COMMANDS as readonly string[]).includes(command) && rest.some(wantsHelp)) {
    process.stdout.write(`${renderCommandHelp(command as Command)}\n`);
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
