// Files outside the repository are refused the same way wherever they come from: a linked
// definition, and a definitions folder (workflows-dir, --dir) that is, or links, outside. Real
// symbolic links in a temporary repository; the CLI is run in-process on the same tree.
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDefinitionFiles } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import { runCommand } from '../../../src/main.js';
import { readCliSettings } from '../../../src/settings.js';
import { describeError } from '../../../src/support/errors.js';
import { createCaptureSink } from '../../support/capture-sink.js';

const GOOD = new URL('../../../workflows/passthrough.json', import.meta.url);

let scratch: string;
let root: string;
let outside: string;

beforeEach(async () => {
  scratch = await realpath(await mkdtemp(path.join(tmpdir(), 'dify-gitops-outside-')));
  root = path.join(scratch, 'repo');
  outside = path.join(scratch, 'elsewhere');
  await mkdir(path.join(root, 'workflows'), { recursive: true });
  await mkdir(outside);
  const text = await readFile(GOOD, 'utf8');
  await writeFile(path.join(root, 'workflows', 'passthrough.json'), text);
  await writeFile(path.join(outside, 'linked.json'), text.replaceAll('"passthrough"', '"linked"'));
});
afterEach(() => rm(scratch, { recursive: true, force: true }));

describe('a linked definition', () => {
  it('is an error naming the file, where it points and the fix, not a silent skip', async () => {
    await symlink(path.join(outside, 'linked.json'), path.join(root, 'workflows', 'linked.json'));
    const report = validateDefinitions(await loadDefinitionFiles(path.join(root, 'workflows'), root));
    expect(report.ok).toBe(false);
    expect(report.files.map((f) => f.file)).toEqual(['workflows/linked.json', 'workflows/passthrough.json']);
    expect(report.files[0].errors).toEqual([
      expect.objectContaining({
        file: 'workflows/linked.json',
        message: expect.stringMatching(
          /^workflows\/linked\.json is a symbolic link \(to .*elsewhere\/linked\.json\); definitions must be regular files in the repository: replace the link with a copy/,
        ),
      }),
    ]);
  });

  it('is refused even when it points inside the repository', async () => {
    await symlink('passthrough.json', path.join(root, 'workflows', 'alias.json'));
    const report = validateDefinitions(await loadDefinitionFiles(path.join(root, 'workflows'), root));
    expect(report.files[0]).toMatchObject({ file: 'workflows/alias.json', ok: false });
  });
});

describe('a definitions folder outside the repository', () => {
  it('is refused by path, naming the folder and the setting to change', async () => {
    const error = await loadDefinitionFiles(outside, root).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'definition.unreadable' });
    expect(describeError(error)).toMatch(
      /definitions directory .*elsewhere is outside the repository .*repo\n {2}→ Set workflows-dir \(--dir\)/,
    );
  });

  it('is refused through a link inside the repository, saying where it resolves', async () => {
    await symlink(outside, path.join(root, 'linked-flows'));
    const error = await loadDefinitionFiles(path.join(root, 'linked-flows'), root).catch((e: unknown) => e);
    expect(describeError(error)).toMatch(/linked-flows is outside the repository .* \(it resolves to .*elsewhere\)/);
  });

  it('fails the CLI (validate --dir ../elsewhere) with that message', async () => {
    const settings = { ...readCliSettings(['validate', '--dir', '../elsewhere']), root };
    const error = await runCommand(settings, createCaptureSink()).catch((e: unknown) => e);
    expect(describeError(error)).toMatch(/definitions directory .*elsewhere is outside the repository/);
  });
});
