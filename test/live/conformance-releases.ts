// The live suite's release cases, run after the command cases on the same app and repository: an
// edit of the app's own settings (Dify's "Edit info") seen by plan, drift and pull; a version bump
// with no DSL change, released without an import; and the YAML form, adopted from a real export,
// deployed and pulled back byte for byte.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatCanonical } from '../../src/definition/canonical.js';
import type { Definition } from '../../src/definition/types.js';
import type { DifyConsole } from '../../src/dify/types.js';
import { stringifyPyYaml } from '../../src/support/pyyaml.js';
import type { TempRepo } from '../support/git-repo.js';
import type { LiveAdmin } from './admin.js';

export interface CommandContext {
  name: string;
  app: { id: string; name: string };
  dify: DifyConsole;
  admin: LiveAdmin;
  repo: TempRepo;
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** One definition's entry in `plan --json`'s `changes`. */
interface PlannedChange {
  name: string;
  status: string;
  app_changed: boolean;
  features_changed: boolean;
  nodes: { added: unknown[]; removed: unknown[]; changed: unknown[] };
  edges: { added: number; removed: number; changed: number };
  variables: unknown[];
}

/** The edit "Edit info" makes: a new name (still the suite's prefix and run id), description and icon. */
const EDITED = { description: 'Edited in the UI: app info', icon: '🚀', icon_background: '#E0F2FE' };

export function describeReleaseCases(get: () => CommandContext): void {
  const file = (name: string) => path.join(get().repo.dir, 'workflows', `${name}.json`);
  const readDefinition = async (name: string) => JSON.parse(await readFile(file(name), 'utf8')) as Definition;
  const planFor = async (name: string): Promise<PlannedChange> => {
    const plan = await get().cli(['plan', '--json']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const change = (JSON.parse(plan.stdout) as { changes: PlannedChange[] }).changes.find((c) => c.name === name);
    expect(change, plan.stdout).toBeDefined();
    return change!;
  };
  const expectNoDiff = (change: PlannedChange) => {
    expect(change.app_changed, JSON.stringify(change)).toBe(false);
    expect(change.features_changed).toBe(false);
    expect(change.nodes).toEqual({ added: [], removed: [], changed: [] });
    expect(change.edges).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(change.variables).toEqual([]);
  };
  const deploy = async (name: string) => {
    const run = await get().cli(['deploy', '--all', '--workflows', name]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    return run;
  };

  it('an app info edit in the editor shows in plan and drift, and pull writes it into the definition', async () => {
    const { admin, app, name, repo, cli, dify } = get();
    const renamed = `${app.name}-renamed`;
    await admin.editAppInfoAsUi(app.id, { name: renamed, ...EDITED });
    const before = await planFor(name);
    expect(before.app_changed, JSON.stringify(before)).toBe(true);
    expect(before.status).toBe('update');
    const drift = await cli(['drift', '--json']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(3);
    const pull = await cli(['pull', name]);
    expect(pull.code, pull.stdout + pull.stderr).toBe(0);
    const pulled = await readDefinition(name);
    // The /openapi surface's app detail has no icon: there, pull brings the name and description only.
    const seen = dify.authMode === 'openapi' ? { description: EDITED.description } : EDITED;
    expect(pulled.dsl.app).toMatchObject({ name: renamed, ...seen });
    // The pull, committed as a release: the repository and the live app now agree.
    await repo.commit({ [`workflows/${name}.json`]: formatCanonical({ ...pulled, version: '1.4.0' }) }, `${name} 1.4.0`);
    expectNoDiff(await planFor(name));
    await deploy(name);
    expect(await dify.getApp(app.id)).toMatchObject({ name: renamed, ...seen });
    expect((await dify.getPublished(app.id))?.marked_name).toMatch(/^1\.4\.0/);
  });

  it('a version bump without DSL changes imports nothing, re-marks the live version and tags it', async () => {
    const { app, name, repo, dify } = get();
    const live = await dify.getPublished(app.id);
    const versions = (await dify.listVersions(app.id)).length;
    const current = await readDefinition(name);
    const smoke = [...(current.smoke ?? []), { name: 'echo again', inputs: { query: 'again' }, expect: { contains: { query: 'again' } } }];
    await repo.commit({ [`workflows/${name}.json`]: formatCanonical({ ...current, version: '1.5.0', smoke }) }, `${name} 1.5.0`);
    const plan = await planFor(name);
    expectNoDiff(plan);
    if (dify.authMode === 'openapi') {
      // /openapi cannot re-mark a version, so none is ever marked verified: the bump is published again.
      expect(plan.status).toBe('republish');
      await deploy(name);
      expect((await dify.getPublished(app.id))?.marked_name).toMatch(/^1\.5\.0/);
      return;
    }
    expect(plan.status).toBe('release');
    const run = await deploy(name);
    expect(run.stdout + run.stderr).toMatch(/nothing (to import|imported)/);
    const now = await dify.getPublished(app.id);
    expect(now?.id).toBe(live?.id);
    expect(now?.marked_name).toMatch(/^1\.5\.0/);
    expect((await dify.listVersions(app.id)).length).toBe(versions);
    expect(await repo.git(['ls-remote', '--tags', 'origin'])).toContain(`refs/tags/${name}@v1.5.0`);
  });

  it('the YAML form: adopted from a real export, deployed, pulled back byte for byte, planned without a diff', async () => {
    const { admin, repo, cli, dify } = get();
    const yamlApp = await admin.createApp('yaml', 'workflow');
    const source = await readFile(path.join(repo.dir, 'workflows', `${get().name}.json`), 'utf8');
    const dsl = (JSON.parse(source) as Definition).dsl;
    // Its own app, holding the suite's echo workflow without the secret (an export leaves secrets out).
    dsl.app.name = yamlApp.name;
    dsl.workflow!.environment_variables = [];
    const end = dsl.workflow!.graph.nodes.find((n) => n.data.type === 'end')!.data as unknown as { outputs: Array<{ variable: string }> };
    end.outputs = end.outputs.filter((o) => o.variable !== 'secret');
    await dify.importDsl(yamlApp.id, stringifyPyYaml(dsl));
    const exported = await dify.exportDsl(yamlApp.id);
    const exportFile = path.join(repo.dir, '..', 'live-yaml-export.yml');
    await writeFile(exportFile, exported);
    const adopt = await cli(['adopt', exportFile, '--name', 'live-yaml', '--app', yamlApp.id, '--form', 'yaml']);
    expect(adopt.code, adopt.stdout + adopt.stderr).toBe(0);
    const yamlFile = path.join(repo.dir, 'workflows', 'live-yaml.dify.yml');
    expect(await readFile(yamlFile, 'utf8')).toBe(exported);
    await repo.commit(
      { 'workflows/live-yaml.json': await readFile(file('live-yaml'), 'utf8'), 'workflows/live-yaml.dify.yml': exported },
      'live-yaml 1.0.0',
    );
    await deploy('live-yaml');
    const pull = await cli(['pull', 'live-yaml']);
    expect(pull.code, pull.stdout + pull.stderr).toBe(0);
    expect(await readFile(yamlFile, 'utf8')).toBe(exported);
    expect(await dify.exportDsl(yamlApp.id)).toBe(exported);
    expect(await repo.git(['status', '--porcelain', 'workflows'])).toBe('');
    expectNoDiff(await planFor('live-yaml'));
    // An edit in the editor comes back as Dify's own text: the DSL file becomes the new export, byte for byte.
    await admin.editDraftAsUi(yamlApp.id, (graph) => {
      graph.nodes.find((n) => n.data.type === 'end')!.data.title = 'Edited beside the YAML';
    });
    const again = await cli(['pull', 'live-yaml']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const edited = await dify.exportDsl(yamlApp.id);
    expect(edited).toContain('Edited beside the YAML');
    expect(await readFile(yamlFile, 'utf8')).toBe(edited);
    expect(await repo.git(['diff', '--name-only', 'workflows'])).toBe('workflows/live-yaml.dify.yml');
  });
}
