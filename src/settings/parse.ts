// How an option's raw text (an input, a flag or an environment variable) becomes a value.
// Every refusal names where the value came from (`label`: input "x", --x or X), the value, and the fix.
import { UserError } from '../support/errors.js';
import { parseDuration } from '../rotation/duration.js';

/** `label` is how the user gave the value: `input "concurrency"`, `--concurrency` or `DIFY_TIMEOUT_SECONDS`. */
export type Parser<T> = (raw: string, label: string) => T;

/** `input "x" is …` starts a sentence as `Input "x" is …`. */
export function sentence(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function refuse(label: string, raw: string, fix: string): never {
  throw new UserError('usage', `${sentence(label)} is "${raw}"; ${fix}`);
}

export const text: Parser<string> = (raw) => raw;

/** Empty means "not given". */
export const optionalText: Parser<string | undefined> = (raw) => raw || undefined;

export const bool: Parser<boolean> = (raw, label) => {
  if (raw === '' || /^(false|no|0)$/i.test(raw)) return false;
  if (/^(true|yes|1)$/i.test(raw)) return true;
  return refuse(label, raw, 'use true or false.');
};

export const positiveInt: Parser<number> = (raw, label) => {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : refuse(label, raw, 'use a whole number of 1 or more.');
};

/** A positive integer, or undefined when not given (the default then comes from elsewhere). */
export const optionalPositiveInt: Parser<number | undefined> = (raw, label) => (raw === '' ? undefined : positiveInt(raw, label));

export const count: Parser<number> = (raw, label) => {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : refuse(label, raw, 'use a whole number of 0 or more.');
};

/** One of a fixed set of words; `fix` says what each means. */
export function oneOf<const T extends string>(values: readonly T[], fix: string): Parser<T> {
  return (raw, label) => ((values as readonly string[]).includes(raw) ? (raw as T) : refuse(label, raw, fix));
}

/** Milliseconds from `30m`, `24h`, `7d`. */
export const duration: Parser<number> = (raw, label) =>
  parseDuration(raw) ?? refuse(label, raw, 'use a whole number and a unit: 30m, 24h or 7d (s, m, h, d).');

/** Actions secret and variable names: letters, digits and _, not starting with a digit or GITHUB_. */
function isActionsName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !/^GITHUB_/i.test(name);
}

/** A secret name, checked with {name} (one secret per workflow) filled in. */
export const secretName: Parser<string | undefined> = (raw, label) => {
  if (!raw) return undefined;
  return isActionsName(raw.replace(/\{name\}/g, 'X'))
    ? raw
    : refuse(label, raw, 'a secret name uses letters, digits and _ (plus {name}), and does not start with a digit or GITHUB_.');
};

export const variableName: Parser<string> = (raw, label) =>
  isActionsName(raw)
    ? raw
    : refuse(label, raw, 'an Actions variable name uses letters, digits and _, does not start with a digit or GITHUB_.');

/**
 * Definition names: comma- or newline-separated, or a JSON list (a `changed` output, or one shard of
 * it, passed on as is). Empty means "not given"; an empty list given (`[]`) selects nothing, never
 * everything. Names are checked against the folder later, where the known names are.
 */
export const nameList: Parser<string[] | undefined> = (raw, label) => {
  const text = raw.trim();
  if (!text) return undefined;
  let names: unknown[] = text.split(/[,\n]/);
  if (text.startsWith('[')) {
    try {
      names = JSON.parse(text) as unknown[];
    } catch {
      return refuse(label, raw, 'a JSON list of names must parse, e.g. ["support-bot","triage"]; or use commas or new lines.');
    }
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      return refuse(label, raw, 'a JSON list must hold definition names (strings) only.');
  }
  return [...new Set((names as string[]).map((n) => n.trim()).filter(Boolean))];
};
