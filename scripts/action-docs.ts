// action.yml's inputs come from the option table (src/settings/options.ts); the README's inputs and
// outputs tables come from action.yml. `npm run docs` rewrites both; tests fail when either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { actionInputs } from '../src/settings/options.js';

const ROOT = path.resolve(import.meta.dirname, '..');
export const START = '<!-- action-docs:start (generated from action.yml by `npm run docs`) -->';
export const END = '<!-- action-docs:end -->';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
}

/** The inputs as action.yml declares them, in the table's order. */
export function tableInputs(): ActionYml['inputs'] {
  return Object.fromEntries(
    actionInputs().map(([, spec]) => [
      spec.input!,
      { description: spec.description, required: false, default: spec.actionDefault ?? spec.default },
    ]),
  );
}

/** action.yml with its `inputs:` block rewritten from the table; everything else is kept as written. */
export function renderActionYml(actionYml: string): string {
  const start = actionYml.indexOf('\ninputs:\n');
  const end = actionYml.indexOf('\noutputs:\n');
  if (start < 0 || end < start) throw new Error('action.yml lacks an inputs: block followed by outputs:');
  const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
  const block = Object.entries(tableInputs()).flatMap(([name, spec]) => [
    `  ${name}:`,
    `    description: ${quote(spec.description)}`,
    '    required: false',
    `    default: ${quote(spec.default ?? '')}`,
  ]);
  return `${actionYml.slice(0, start)}\ninputs:\n${block.join('\n')}${actionYml.slice(end)}`;
}

export function renderActionDocs(actionYml: string): string {
  const action = parse(actionYml) as ActionYml;
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [START, '', '### Inputs', '', '| Input | Default | Description |', '| --- | --- | --- |'];
  for (const [name, spec] of Object.entries(action.inputs)) {
    lines.push(`| \`${name}\` | ${spec.default ? `\`${cell(spec.default)}\`` : ''} | ${cell(spec.description)} |`);
  }
  lines.push('', '### Outputs', '', '| Output | Description |', '| --- | --- |');
  for (const [name, spec] of Object.entries(action.outputs)) lines.push(`| \`${name}\` | ${cell(spec.description)} |`);
  lines.push('', END);
  return lines.join('\n');
}

export function updateReadme(readme: string, block: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error('README.md lacks the action-docs markers');
  return readme.slice(0, start) + block + readme.slice(end + END.length);
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const actionPath = path.join(ROOT, 'action.yml');
  const actionYml = renderActionYml(readFileSync(actionPath, 'utf8'));
  writeFileSync(actionPath, actionYml);
  const readmePath = path.join(ROOT, 'README.md');
  writeFileSync(readmePath, updateReadme(readFileSync(readmePath, 'utf8'), renderActionDocs(actionYml)));
  console.log('action.yml: inputs regenerated from src/settings/options.ts; README.md: inputs and outputs from action.yml');
}
