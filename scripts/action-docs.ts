// The README's inputs and outputs tables, generated from action.yml (the one source of truth).
// `npm run docs` rewrites the block between the markers; a test fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');
export const START = '<!-- action-docs:start (generated from action.yml by `npm run docs`) -->';
export const END = '<!-- action-docs:end -->';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
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
  const readmePath = path.join(ROOT, 'README.md');
  const block = renderActionDocs(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
  writeFileSync(readmePath, updateReadme(readFileSync(readmePath, 'utf8'), block));
  console.log('README.md: inputs and outputs regenerated from action.yml');
}
