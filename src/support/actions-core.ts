// The runner protocol (inputs, annotations, outputs, masks, groups, the job summary), from
// @actions/core's own modules. Its index also loads the OIDC client, and with it all of undici,
// and its file-command module node:crypto: ~80 ms of start-up on every run for an OIDC token we
// never ask for and a random delimiter (docs/decisions/0006).
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { issue, issueCommand } from '@actions/core/lib/command.js';
import { toCommandProperties, toCommandValue } from '@actions/core/lib/utils.js';

/** Appends Markdown to the job summary; its module (and fs/promises) loads with the first summary. */
export async function appendSummary(markdown: string): Promise<void> {
  const { summary } = await import(/* webpackMode: "eager" */ '@actions/core/lib/summary.js');
  await summary.addRaw(markdown, true).write();
}

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** As core.getInput: `INPUT_<NAME>` (spaces as underscores, upper case), trimmed. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

export function warning(message: string, properties: AnnotationProperties = {}): void {
  issueCommand('warning', toCommandProperties(properties), message);
}

export function error(message: string, properties: AnnotationProperties = {}): void {
  issueCommand('error', toCommandProperties(properties), message);
}

export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

/**
 * The `GITHUB_OUTPUT` file when the runner gives one (a heredoc, as core.setOutput writes it), else
 * the old `set-output` command. A delimiter that occurs in the value is refused, as core does, so a
 * value can never close its heredoc early and inject another output.
 */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (file) {
    const delimiter = `ghadelimiter_${randomHex(32)}`;
    if (name.includes(delimiter) || value.includes(delimiter))
      throw new Error(`Unexpected input: the value of output "${name}" contains the delimiter ${delimiter}`);
    appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
    return;
  }
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, toCommandValue(value));
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issue('group', name);
  try {
    return await fn();
  } finally {
    issue('endgroup');
  }
}

/** Random enough for a delimiter the value is also checked against; Math.random spares node:crypto. */
function randomHex(length: number): string {
  let hex = '';
  while (hex.length < length)
    hex += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return hex.slice(0, length);
}
