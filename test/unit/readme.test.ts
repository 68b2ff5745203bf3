// The README is part of the product: its commands, inputs and outputs must stay true.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderActionDocs, START, END } from '../../scripts/action-docs.js';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('lists exactly the inputs and outputs action.yml declares (run "npm run docs" when this fails)', () => {
    const block = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(block).toBe(renderActionDocs(readFileSync(path.join(root, 'action.yml'), 'utf8')));
  });

  it('opens with the main job, then the test command that .ci/run runs', () => {
    const commands = [...readme.matchAll(/```sh\n(.+)\n```/g)].map((m) => m[1]);
    expect(commands[0]).toBe('npm ci && npx dify-gitops validate && npm run demo');
    expect(commands[1]).toBe('npm ci && npm test');
    const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
    expect(ci.split('\n')).toContain(commands[1]);
  });

  it('mentions every command the action accepts', async () => {
    const { ACTION_COMMANDS } = await import('../../src/inputs.js');
    for (const command of ACTION_COMMANDS) expect(readme).toContain(`\`${command}\``);
  });
});
