// One generic reader over the option table: the action's INPUT_* variables and the CLI's flags and
// environment are two sources of the same raw text, parsed the same way with the same messages.
import { registerSecret } from '../support/redact.js';
import { UserError } from '../support/errors.js';
import { OPTIONS, type OptionKey, type OptionSpec, type OptionValues } from './options.js';

type Env = Record<string, string | undefined>;

/** The raw text of one option as given ('' when absent), and how to name it in a message. */
interface Given {
  raw: string;
  label: string;
}

export interface OptionSource {
  surface: 'action' | 'cli';
  given(key: OptionKey, spec: OptionSpec<unknown>): Given;
  /** CLI positional arguments after the command. */
  args: string[];
}

/** Parse every option from one source: absent and empty take the table's default. */
export function readOptions(source: OptionSource): OptionValues {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(OPTIONS) as Array<[OptionKey, OptionSpec<unknown>]>) {
    const { raw, label } = source.given(key, spec);
    if (spec.secret) registerSecret(raw);
    values[key] = spec.parse(raw || spec.default, label);
  }
  return values as OptionValues;
}

/** How the user names an option on each surface: `input "concurrency"`, `--concurrency`, `DIFY_URL`. */
export function optionLabel(spec: OptionSpec<unknown>, surface: OptionSource['surface']): string {
  if (surface === 'action') return `input "${spec.input}"`;
  return spec.flag ? `--${spec.flag}` : (spec.env ?? `"${spec.input}"`);
}

/** The runner passes input `dry-run` as INPUT_DRY-RUN (spaces become _, letters upper-case). */
export function createActionSource(env: Env): OptionSource {
  return {
    surface: 'action',
    args: [],
    given: (_key, spec) => ({
      raw: spec.input ? (env[`INPUT_${spec.input.replace(/ /g, '_').toUpperCase()}`] ?? '').trim() : '',
      label: optionLabel(spec, 'action'),
    }),
  };
}

/** `dify-gitops <command> [flags] [args]`; credentials and webhook settings from the environment. */
export function createCliSource(argv: string[], env: Env): OptionSource {
  const [command = '', ...rest] = argv;
  const { values, positional } = parseFlags(rest);
  return {
    surface: 'cli',
    args: positional,
    given: (key, spec) => {
      if (key === 'command') return { raw: command, label: 'the command' };
      const label = optionLabel(spec, 'cli');
      // A flag wins over its environment variable (DIFY_GITOPS_WORKFLOWS), which a job may set once for every step.
      const flagged = spec.flag ? values.get(spec.flag) : undefined;
      if (flagged !== undefined || (spec.flag && !spec.env)) return { raw: flagged ?? '', label };
      if (spec.env) return { raw: env[spec.env] ?? '', label: spec.flag ? spec.env : label };
      return { raw: '', label };
    },
  };
}

/** Flags from the table: value flags take the next word (or `=value`); switches stand alone. */
function parseFlags(args: string[]): { values: Map<string, string>; positional: string[] } {
  const kinds = new Map(
    Object.values(OPTIONS).flatMap((spec: OptionSpec<unknown>) => (spec.flag ? [[spec.flag, spec.flagKind ?? 'value']] : [])),
  );
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = kinds.get(key);
    if (kind === 'switch') values.set(key, 'true');
    else if (kind === 'negated') values.set(key, 'false');
    else if (kind === 'value') {
      const value = inline ?? args[++i];
      if (value === undefined || value.startsWith('--')) throw new UserError('usage', `Flag --${key} needs a value.`);
      values.set(key, value);
    } else throw new UserError('usage', `Unknown flag --${key}. Run "dify-gitops help" for the flags each command takes.`);
  }
  return { values, positional };
}
