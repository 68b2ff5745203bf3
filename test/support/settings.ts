// Settings for one command, typed as that command's (tests call a command's run function directly).
import type { Command } from '../../src/inputs.js';
import { readActionSettings, type Settings } from '../../src/settings.js';

export function settingsFor<C extends Command>(settings: Settings, command: C): Settings<C> {
  if (settings.command !== command) throw new Error(`expected settings of ${command}, got ${settings.command}`);
  return settings as Settings<C>;
}

/** The action's settings (INPUT_* variables in `env`) of a deploy. */
export function deploySettings(env: Record<string, string | undefined>): Settings<'deploy'> {
  return settingsFor(readActionSettings({ INPUT_COMMAND: 'deploy', ...env }), 'deploy');
}
