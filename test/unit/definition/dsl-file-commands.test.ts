// adopt, fmt and validate over the YAML form, in a temporary folder: adopt writes the export byte for
// byte beside the definition, fmt formats only the definition, and a YAML file nothing names is said.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAdopt } from '../../../src/commands/adopt.js';
import { runFmt } from '../../../src/commands/fmt.js';
import { runValidate } from '../../../src/commands/validate.js';
import { createGit } from '../../../src/git/git.js';
import type { Command } from '../../../src/inputs.js';
import { readCliSettings, type Settings } from '../../../src/settings.js';
import { createCaptureSink } from '../../support/capture-sink.js';
import { PASSTHROUGH, readDslFixture } from '../../support/dify-dsl.js';
import { settingsFor } from '../../support/settings.js';

const APP = '8b2e3d4c-5f6a-4b70-9c8d-0e1f2a3b4c52';
let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'dify-gitops-yaml-form-'));
  await mkdir(path.join(root, 'workflows'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function cli<C extends Command>(command: C, argv: string[] = []): Settings<C> {
  return { ...settingsFor(readCliSettings([command, ...argv], {}), command), root };
}

async function adopt(argv: string[]) {
  const sink = createCaptureSink();
  const settings = cli('adopt', ['export.yml', '--name', 'echo', '--app', APP, ...argv]);
  return { result: await runAdopt(settings, settings.options, { sink }), sink };
}

const read = (file: string) => readFile(path.join(root, file), 'utf8');

describe('adopt --form yaml', () => {
  it('writes the export byte for byte to <name>.dify.yml and a definition naming it', async () => {
    // A comment and odd spacing prove nothing is re-serialised.
    const exported = `# exported from Dify\n${readDslFixture(PASSTHROUGH)}`.replace('kind: app', 'kind:   app');
    await writeFile(path.join(root, 'export.yml'), exported);
    const { result, sink } = await adopt(['--form', 'yaml']);
    expect(result).toEqual({ exitCode: 0, file: 'workflows/echo.json', dslFile: 'workflows/echo.dify.yml' });
    expect(await read('workflows/echo.dify.yml')).toBe(exported);
    const definition = JSON.parse(await read('workflows/echo.json'));
    expect(definition).toMatchObject({ name: 'echo', version: '1.0.0', dsl_file: 'echo.dify.yml', app: { production: APP } });
    expect(definition).not.toHaveProperty('dsl');
    expect(sink.text()).toContain('its DSL in workflows/echo.dify.yml as Dify exported it');
    const validate = createCaptureSink();
    expect((await runValidate(cli('validate'), { git: createGit(root), sink: validate })).exitCode, validate.text()).toBe(0);
    expect(validate.warnings).toEqual([]);
  });

  it('refuses an export that carries secret values, and an existing .dify.yml, writing nothing', async () => {
    const withSecret = readDslFixture(PASSTHROUGH).replace(
      'environment_variables: []',
      'environment_variables:\n    - {id: e1, name: API_KEY, value: live-secret-value, value_type: secret}',
    );
    await writeFile(path.join(root, 'export.yml'), withSecret);
    await expect(adopt(['--form', 'yaml'])).rejects.toMatchObject({ code: 'usage', message: expect.stringMatching(/secret variables/) });
    await writeFile(path.join(root, 'export.yml'), readDslFixture(PASSTHROUGH));
    await writeFile(path.join(root, 'workflows/echo.dify.yml'), 'kept');
    await expect(adopt(['--form', 'yaml'])).rejects.toMatchObject({ message: expect.stringMatching(/echo\.dify\.yml already exists/) });
    expect(await read('workflows/echo.dify.yml')).toBe('kept');
    await expect(read('workflows/echo.json')).rejects.toThrow();
  });

  it('writes the DSL inside the definition without --form, as before', async () => {
    await writeFile(path.join(root, 'export.yml'), readDslFixture(PASSTHROUGH));
    expect((await adopt([])).result).toEqual({ exitCode: 0, file: 'workflows/echo.json' });
    expect(JSON.parse(await read('workflows/echo.json'))).toHaveProperty('dsl.app.name', 'echo');
  });
});

describe('fmt and validate over the YAML form', () => {
  it('fmt formats the definition without pulling the DSL into it, and never touches the .dify.yml', async () => {
    await writeFile(path.join(root, 'export.yml'), readDslFixture(PASSTHROUGH));
    await adopt(['--form', 'yaml']);
    const yaml = `${readDslFixture(PASSTHROUGH)}\n\n# trailing note\n`;
    await writeFile(path.join(root, 'workflows/echo.dify.yml'), yaml);
    const canonical = await read('workflows/echo.json');
    await writeFile(path.join(root, 'workflows/echo.json'), JSON.stringify(JSON.parse(canonical)));
    expect(await runFmt(cli('fmt'), { check: false }, { sink: createCaptureSink() })).toEqual({
      exitCode: 0,
      changed: ['workflows/echo.json'],
    });
    expect(await read('workflows/echo.json')).toBe(canonical);
    expect(await read('workflows/echo.dify.yml')).toBe(yaml);
  });

  it('warns about a YAML file in the folder that no definition names, naming adopt', async () => {
    await writeFile(path.join(root, 'export.yml'), readDslFixture(PASSTHROUGH));
    await adopt(['--form', 'yaml']);
    await writeFile(path.join(root, 'workflows/support-bot.yaml'), readDslFixture(PASSTHROUGH));
    const sink = createCaptureSink();
    const { exitCode, report } = await runValidate(cli('validate'), { git: createGit(root), sink });
    expect(exitCode).toBe(0);
    expect(report.warnings).toEqual([
      expect.objectContaining({
        file: 'workflows/support-bot.yaml',
        severity: 'warning',
        message: expect.stringMatching(
          /no definition names this file.*adopt workflows\/support-bot\.yaml --name <name> --app <app-id> --form yaml/,
        ),
      }),
    ]);
    expect(sink.text()).toMatch(/workflows\/support-bot\.yaml:1:1: warning: /);
  });
});
