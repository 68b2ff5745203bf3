// The YAML form: a definition naming a DSL file beside it loads, validates and hashes as the same
// DSL written inline, and every problem in the DSL points at the YAML file's line and column.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adoptDsl } from '../../../src/definition/adopt.js';
import { dslContentHash, formatCanonical } from '../../../src/definition/canonical.js';
import { loadDefinitionFiles } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import { workflowHash } from '../../../src/definition/workflow-hash.js';
import type { Definition } from '../../../src/definition/types.js';
import { PASSTHROUGH, readDslFixture } from '../../support/dify-dsl.js';

const APP = { production: '8b2e3d4c-5f6a-4b70-9c8d-0e1f2a3b4c52' };

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dify-gitops-dsl-file-'));
  dir = path.join(root, 'workflows');
  await mkdir(dir);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The JSON envelope adopt writes, with the DSL moved to `dsl_file`. */
function envelope(name: string, extra: Record<string, unknown> = {}): string {
  const { dsl: _dsl, ...rest } = adoptDsl(readDslFixture(PASSTHROUGH), { name, app: APP });
  return formatCanonical({ ...rest, dsl_file: `${name}.dify.yml`, ...extra });
}

async function validateDir() {
  return validateDefinitions(await loadDefinitionFiles(dir, root));
}

describe('a definition with its DSL in a file beside it', () => {
  it('validates cleanly and hashes exactly as the same DSL written inline', async () => {
    const yaml = readDslFixture(PASSTHROUGH);
    await writeFile(path.join(dir, 'echo.json'), envelope('echo'));
    await writeFile(path.join(dir, 'echo.dify.yml'), yaml);
    await writeFile(path.join(dir, 'inline.json'), formatCanonical(adoptDsl(yaml, { name: 'inline', app: APP })));
    const files = await loadDefinitionFiles(dir, root);
    expect(files.map((f) => [f.file, f.dslFile?.file])).toEqual([
      ['workflows/echo.json', 'workflows/echo.dify.yml'],
      ['workflows/inline.json', undefined],
    ]);
    // Two definitions of one app would be a duplicate: only the first one's errors matter here.
    const [yamlForm, inlineForm] = validateDefinitions(files).files;
    expect(yamlForm.errors.filter((d) => !/also/.test(d.message))).toEqual([]);
    expect(yamlForm.warnings).toEqual([]);
    const fromYaml = files[0].value as Definition;
    const inline = files[1].value as Definition;
    expect(fromYaml.dsl).toEqual(inline.dsl);
    expect(workflowHash(fromYaml.dsl)).toBe(workflowHash(inline.dsl));
    expect(dslContentHash(fromYaml.dsl)).toBe(dslContentHash(inline.dsl));
    expect(inlineForm.file).toBe('workflows/inline.json');
  });

  it('points a problem in the DSL at its line and column in the YAML file, with the pointer there', async () => {
    await writeFile(path.join(dir, 'echo.json'), envelope('echo'));
    // The edge's target (line 41 of the fixture) names a node that does not exist.
    const yaml = readDslFixture(PASSTHROUGH).replace("target: '1754154034161'", "target: 'nowhere'");
    await writeFile(path.join(dir, 'echo.dify.yml'), yaml);
    const [report] = (await validateDir()).files;
    const dangling = report.errors.find((d) => /nowhere/.test(d.message));
    const line = yaml.split('\n').findIndex((l) => l.includes("target: 'nowhere'")) + 1;
    expect(dangling).toMatchObject({ file: 'workflows/echo.dify.yml', line, path: expect.stringMatching(/^\/workflow\/graph\/edges\/0/) });
    expect(dangling?.column).toBeGreaterThan(1);
  });

  it('points a schema error in the DSL at the YAML (an unknown app mode)', async () => {
    await writeFile(path.join(dir, 'echo.json'), envelope('echo'));
    await writeFile(path.join(dir, 'echo.dify.yml'), readDslFixture(PASSTHROUGH).replace('mode: workflow', 'mode: flow'));
    const [report] = (await validateDir()).files;
    expect(report.errors).toEqual([
      expect.objectContaining({
        file: 'workflows/echo.dify.yml',
        path: '/app/mode',
        line: 5,
        column: 9,
        message: expect.stringMatching(/"mode" must be one of/),
      }),
    ]);
  });

  it('reports YAML that does not parse in the YAML file, at the line', async () => {
    await writeFile(path.join(dir, 'echo.json'), envelope('echo'));
    await writeFile(path.join(dir, 'echo.dify.yml'), 'app:\n  mode: workflow\n  mode: chat\n');
    const [report] = (await validateDir()).files;
    expect(report.ok).toBe(false);
    expect(report.errors[0]).toMatchObject({
      file: 'workflows/echo.dify.yml',
      line: 3,
      message: expect.stringMatching(/^invalid YAML: .*unique/i),
    });
  });

  it('refuses an unquoted scalar PyYAML would read as other than the text we read, at its line', async () => {
    await writeFile(path.join(dir, 'echo.json'), envelope('echo'));
    const yaml = readDslFixture(PASSTHROUGH).replace("opening_statement: ''", 'opening_statement: 12:30');
    await writeFile(path.join(dir, 'echo.dify.yml'), yaml);
    const [report] = (await validateDir()).files;
    const line = yaml.split('\n').findIndex((l) => l.includes('opening_statement: 12:30')) + 1;
    expect(report.errors).toEqual([
      expect.objectContaining({
        file: 'workflows/echo.dify.yml',
        line,
        column: 24,
        message: expect.stringMatching(/plain 12:30 is text here .* quote it \("12:30"\)/),
      }),
    ]);
  });

  it('scans the YAML for credentials like the inline DSL, and reports one at its line', async () => {
    await writeFile(path.join(dir, 'echo.json'), envelope('echo'));
    const yaml = readDslFixture(PASSTHROUGH).replace("opening_statement: ''", 'opening_statement: key sk-abcdEFGH1234567890abcdefXYZ');
    await writeFile(path.join(dir, 'echo.dify.yml'), yaml);
    const [report] = (await validateDir()).files;
    const line = yaml.split('\n').findIndex((l) => l.includes('sk-abcd')) + 1;
    expect(report.errors).toEqual([
      expect.objectContaining({ file: 'workflows/echo.dify.yml', line, path: '/workflow/features/opening_statement' }),
    ]);
    expect(JSON.stringify(report)).not.toContain('sk-abcdEFGH1234567890abcdefXYZ');
  });

  it('reports a missing DSL file at "dsl_file" in the definition, naming the file', async () => {
    await writeFile(path.join(dir, 'echo.json'), envelope('echo'));
    const [report] = (await validateDir()).files;
    const line =
      envelope('echo')
        .split('\n')
        .findIndex((l) => l.includes('"dsl_file"')) + 1;
    expect(report.errors).toEqual([
      expect.objectContaining({
        file: 'workflows/echo.json',
        path: '/dsl_file',
        line,
        message: expect.stringMatching(/workflows\/echo\.dify\.yml does not exist/),
      }),
    ]);
  });

  it('refuses a DSL file that is a symbolic link, and one that leaves the folder', async () => {
    const outside = path.join(root, 'elsewhere.yml');
    await writeFile(outside, readDslFixture(PASSTHROUGH));
    await writeFile(path.join(dir, 'echo.json'), envelope('echo'));
    await symlink(outside, path.join(dir, 'echo.dify.yml'));
    await writeFile(
      path.join(dir, 'other.json'),
      envelope('other', { dsl_file: '../elsewhere.yml', app: { production: '9b2e3d4c-5f6a-4b70-9c8d-0e1f2a3b4c52' } }),
    );
    const [echo, other] = (await validateDir()).files;
    expect(echo.errors).toEqual([expect.objectContaining({ path: '/dsl_file', message: expect.stringMatching(/symbolic link/) })]);
    expect(other.errors).toEqual([
      expect.objectContaining({
        file: 'workflows/other.json',
        path: '/dsl_file',
        message: expect.stringMatching(/same folder as the definition/),
      }),
    ]);
  });

  it('refuses a definition that has both "dsl" and "dsl_file", and one that has neither', async () => {
    const both = JSON.parse(formatCanonical(adoptDsl(readDslFixture(PASSTHROUGH), { name: 'both', app: APP })));
    await writeFile(path.join(dir, 'both.json'), formatCanonical({ ...both, dsl_file: 'both.dify.yml' }));
    await writeFile(path.join(dir, 'both.dify.yml'), readDslFixture(PASSTHROUGH));
    const { dsl: _dsl, ...neither } = { ...both, name: 'neither', app: { production: '9b2e3d4c-5f6a-4b70-9c8d-0e1f2a3b4c52' } };
    await writeFile(path.join(dir, 'neither.json'), formatCanonical(neither));
    const [bothReport, neitherReport] = (await validateDir()).files;
    expect(bothReport.errors).toEqual([
      expect.objectContaining({ path: '/dsl_file', message: expect.stringMatching(/both "dsl" and "dsl_file"/) }),
    ]);
    expect(neitherReport.errors).toEqual([
      expect.objectContaining({ path: '', message: expect.stringMatching(/has no DSL; add "dsl".*or "dsl_file"/) }),
    ]);
  });
});
