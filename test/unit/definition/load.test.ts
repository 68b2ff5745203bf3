// Malformed files give diagnostics, never exceptions, and do not stop sibling files from being checked.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDefinitionFiles } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';

const GOOD = new URL('../../../workflows/passthrough.json', import.meta.url);

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dify-gitops-load-'));
  dir = path.join(root, 'workflows');
  await mkdir(dir);
  await writeFile(path.join(dir, 'passthrough.json'), await readFile(GOOD, 'utf8'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadDefinitionFiles', () => {
  it('reads *.json sorted, with paths relative to root', async () => {
    await writeFile(path.join(dir, 'a-first.json'), '{}');
    await writeFile(path.join(dir, 'notes.md'), 'not a definition');
    await mkdir(path.join(dir, 'nested.json'));
    const files = await loadDefinitionFiles(dir, root);
    expect(files.map((f) => f.file)).toEqual(['workflows/a-first.json', 'workflows/passthrough.json']);
  });

  it('reports bad JSON with its position and still validates the sibling', async () => {
    await writeFile(path.join(dir, 'broken.json'), '{\n  "name": "broken",\n  "version": 1.0.0\n}\n');
    const report = validateDefinitions(await loadDefinitionFiles(dir, root));
    const [broken, good] = report.files;
    expect(broken).toMatchObject({ file: 'workflows/broken.json', ok: false });
    expect(broken.errors).toEqual([
      expect.objectContaining({
        path: '',
        line: 3,
        column: 17,
        message: expect.stringMatching(/^invalid JSON: invalid number .*put text such as 1\.0\.0 in double quotes/),
      }),
    ]);
    expect(good).toMatchObject({ file: 'workflows/passthrough.json', ok: true, errors: [], warnings: [] });
    expect(report.ok).toBe(false);
  });

  it('refuses a 10 MB file of garbage without parsing it', async () => {
    await writeFile(path.join(dir, 'garbage.json'), Buffer.alloc(10 * 1024 * 1024, 0x7a));
    const report = validateDefinitions(await loadDefinitionFiles(dir, root));
    expect(report.files[0].errors).toEqual([
      expect.objectContaining({
        file: 'workflows/garbage.json',
        line: 1,
        column: 1,
        message: expect.stringMatching(/10\.0 MB, over the 5 MB limit/),
      }),
    ]);
    expect(report.files[1].ok).toBe(true);
  });

  it('refuses 10,000-deep nesting with a position', async () => {
    await writeFile(path.join(dir, 'deep.json'), '{"a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}');
    const report = validateDefinitions(await loadDefinitionFiles(dir, root));
    expect(report.files[0].errors).toEqual([
      expect.objectContaining({ line: 1, column: 261, message: expect.stringMatching(/nesting deeper than 256 levels/) }),
    ]);
    expect(report.files[1].ok).toBe(true);
  });

  it('reports a file that is valid JSON but not an object', async () => {
    await writeFile(path.join(dir, 'list.json'), '[1, 2]\n');
    const report = validateDefinitions(await loadDefinitionFiles(dir, root));
    expect(report.files[0].errors[0]).toMatchObject({
      path: '',
      line: 1,
      column: 1,
      message: expect.stringMatching(/must be an object, not an array/),
    });
  });

  it('throws a typed error for a missing directory', async () => {
    await expect(loadDefinitionFiles(path.join(root, 'nope'), root)).rejects.toMatchObject({ code: 'definition.unreadable' });
  });
});
