// `dify-gitops help` and `dify-gitops <command> --help` are written from the option table.
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/inputs.js';
import { OPTIONS } from '../../src/settings/options.js';
import { renderCommandHelp, renderUsage } from '../../src/settings/help.js';

describe('CLI help', () => {
  it('lists every command with its flags', () => {
    const usage = renderUsage();
    for (const command of COMMANDS) expect(usage).toContain(`\n  ${command} `.trimEnd());
    expect(usage).toContain('[--concurrency N]');
    expect(usage).toContain('<command> --help');
  });

  it.each(COMMANDS)('%s --help lists exactly its flags and variables, with help text and an example', (command) => {
    const help = renderCommandHelp(command);
    // A whole word: --workflow must not be found inside --workflows.
    const lists = (word: string) => new RegExp(`  ${word}(?![\\w-])`).test(help);
    for (const spec of Object.values(OPTIONS)) {
      const used = (spec.commands as readonly string[]).includes(command);
      if ('flag' in spec && spec.flag) expect(lists(`--${spec.flag}`), `${command} --${spec.flag}`).toBe(used);
      if ('env' in spec && spec.env) expect(lists(spec.env), `${command} ${spec.env}`).toBe(used);
    }
    expect(help).toMatch(new RegExp(`Example:\\n  dify-gitops ${command}`));
  });

  it('explains a flag with the input description and its default', () => {
    expect(renderCommandHelp('deploy')).toMatch(/--concurrency N\s+How many definitions to deploy[\s\S]*?\(default: 4\)/);
    expect(renderCommandHelp('deploy')).toMatch(/--no-rollback\s+Do not: when import, publish or a smoke check fails/);
  });
});
