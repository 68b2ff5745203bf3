// The built action run as the runner runs it, on a real temporary repository.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempRepo } from '../support/git-repo.js';
import { REPO_ROOT, runAction } from '../support/run-action.js';

type Repo = Awaited<ReturnType<typeof createTempRepo>>;
let repo: Repo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

/** The repo's own example definitions, as a team would commit them. */
async function exampleFiles(): Promise<Record<string, string>> {
  const dir = path.join(REPO_ROOT, 'workflows');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json') || n.endsWith('.dify.yml'));
  const files: Record<string, string> = {};
  for (const n of names) files[`workflows/${n}`] = await readFile(path.join(dir, n), 'utf8');
  // Definitions point at the schema by relative path; ship it too so editors and ajv agree.
  files['schema/definition.schema.json'] = await readFile(path.join(REPO_ROOT, 'schema/definition.schema.json'), 'utf8');
  return files;
}

function passthrough(files: Record<string, string>): { file: string; value: any } {
  const file = Object.keys(files).find(
    (f) => f.startsWith('workflows/') && f.endsWith('.json') && JSON.parse(files[f]).dsl?.app.mode === 'workflow',
  )!;
  return { file, value: JSON.parse(files[file]) };
}

describe('command: validate (dist/index.js)', () => {
  it('passes the example definitions and reports them in outputs and the summary', async () => {
    repo = await createTempRepo();
    const files = await exampleFiles();
    await repo.commit(files, 'add definitions');
    const run = await runAction({ workspace: repo.dir, inputs: { command: 'validate' } });
    expect(run.stdout).not.toMatch(/::error/);
    expect(run.code).toBe(0);
    expect(run.outputs.valid).toBe('true');
    expect(run.outputs.errors).toBe('0');
    const defs = JSON.parse(run.outputs.definitions);
    // One per definition file: the schema and the .dify.yml a definition names are not definitions.
    expect(defs).toHaveLength(Object.keys(files).filter((f) => f.startsWith('workflows/') && f.endsWith('.json')).length);
    expect(defs.every((d: { ok: boolean }) => d.ok)).toBe(true);
    expect(run.summary).toContain('dify-gitops: validate ✅');
  });

  it('annotates a broken edge on its line, fails, and still checks the other files', async () => {
    repo = await createTempRepo();
    const files = await exampleFiles();
    const { file, value } = passthrough(files);
    value.dsl.workflow.graph.edges[0].target = 'no-such-node';
    files[file] = JSON.stringify(value, null, 2) + '\n';
    await repo.commit(files, 'break an edge');
    const text = files[file];
    const line = text.split('\n').findIndex((l) => l.includes('"no-such-node"')) + 1;

    const run = await runAction({ workspace: repo.dir, inputs: { command: 'validate' } });
    expect(run.code).toBe(1);
    const annotation = run.stdout.split('\n').find((l) => l.startsWith('::error') && l.includes(`file=${file}`));
    expect(annotation).toBeDefined();
    expect(annotation).toContain(`line=${line},`);
    expect(annotation).toMatch(/no-such-node/);
    expect(run.stdout).not.toMatch(/at .*\(.*\.js:\d+:\d+\)/); // no stack trace
    expect(run.outputs.valid).toBe('false');
    const defs = JSON.parse(run.outputs.definitions);
    expect(defs.filter((d: { ok: boolean }) => d.ok)).toHaveLength(defs.length - 1);
    expect(run.summary).toContain(`${file}:${line}:`);
  });

  it('with base-ref, refuses a changed definition whose version was not bumped', async () => {
    repo = await createTempRepo();
    const files = await exampleFiles();
    const base = await repo.commit(files, 'base');
    const { file, value } = passthrough(files);
    value.description = `${value.description ?? ''} (edited)`;
    await repo.commit({ [file]: JSON.stringify(value, null, 2) + '\n' }, 'edit without bump');

    const run = await runAction({ workspace: repo.dir, inputs: { command: 'validate', 'base-ref': base } });
    expect(run.code).toBe(1);
    const annotation = run.stdout.split('\n').find((l) => l.startsWith('::error') && l.includes(`file=${file}`));
    expect(annotation).toMatch(/version/i);
    expect(annotation).toContain(value.version);
  });

  it('explains a base ref that is not in the checkout, without a stack trace', async () => {
    repo = await createTempRepo();
    await repo.commit(await exampleFiles(), 'base');
    const run = await runAction({ workspace: repo.dir, inputs: { command: 'validate', 'base-ref': 'origin/nope' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::The base ref "origin\/nope" is not in this checkout/);
    expect(run.stdout).toMatch(/fetch-depth: 0/);
  });
});
