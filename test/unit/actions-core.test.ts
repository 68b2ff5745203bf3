// Our runner-protocol shim writes exactly what @actions/core writes, minus the modules it skips.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as actionsCore from '@actions/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as core from '../../src/support/actions-core.js';

let dir: string;
let outputFile: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'actions-core-'));
  outputFile = path.join(dir, 'output');
  await writeFile(outputFile, '');
  vi.stubEnv('GITHUB_OUTPUT', outputFile);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

/** The delimiters are random; everything else must match byte for byte. */
const normalise = (text: string) => text.replace(/ghadelimiter_[0-9a-f-]+/g, 'DELIM');

describe('setOutput', () => {
  it('writes the GITHUB_OUTPUT heredoc @actions/core writes, multi-line values included', async () => {
    const values: Array<[string, string]> = [
      ['changed', '["a","b"]'],
      ['summary', 'line one\nline two\n'],
      ['empty', ''],
    ];
    for (const [name, value] of values) actionsCore.setOutput(name, value);
    const theirs = await readFile(outputFile, 'utf8');
    await writeFile(outputFile, '');
    for (const [name, value] of values) core.setOutput(name, value);
    const ours = await readFile(outputFile, 'utf8');
    expect(normalise(ours)).toBe(normalise(theirs));
    expect(ours).toMatch(/^changed<<ghadelimiter_[0-9a-f]{32}\n\["a","b"\]\nghadelimiter_[0-9a-f]{32}\n/);
  });

  it('uses a fresh delimiter per output, so no value can close another output early', async () => {
    core.setOutput('a', 'x');
    core.setOutput('b', 'y');
    const delimiters = (await readFile(outputFile, 'utf8')).match(/<<(ghadelimiter_[0-9a-f]+)/g);
    expect(new Set(delimiters).size).toBe(2);
  });
});

describe('commands on stdout', () => {
  it('annotations, masks and groups print as @actions/core prints them', () => {
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const props = { title: 'dify-gitops: /graph', file: 'workflows/a.json', startLine: 3, startColumn: 7 };
      core.warning('50% done, a:b,c', props);
      actionsCore.warning('50% done, a:b,c', props);
      core.error('bad\nvalue', props);
      actionsCore.error('bad\nvalue', props);
      core.setSecret('s3cr3t-value');
      actionsCore.setSecret('s3cr3t-value');
    } finally {
      spy.mockRestore();
    }
    expect(printed[0]).toBe(printed[1]);
    expect(printed[2]).toBe(printed[3]);
    expect(printed[4]).toBe(printed[5]);
    expect(printed[0]).toContain('::warning title=dify-gitops%3A /graph,file=workflows/a.json,line=3,col=7::50%25 done');
  });
});
