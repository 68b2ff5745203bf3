// A deploy runs validation's checks again before writing anything: a definition that reads an output
// its node does not produce, or a DSL newer than the server takes, is refused with its file, line,
// column and JSON path, and the emulator sees no write at all.
import { afterEach, describe, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { createGit } from '../../src/git/git.js';
import type { Definition } from '../../src/definition/types.js';
import { formatCanonical } from '../../src/definition/canonical.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { deploySettings } from '../support/settings.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;

afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

async function deploy(w: DeployWorld, extra: Record<string, string> = {}) {
  const sink = createCaptureSink();
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_REPOSITORY: 'acme/flows',
    INPUT_COMMAND: 'deploy',
    INPUT_ALL: 'true',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_SMOKE-RETRIES': '0',
    ...extra,
  };
  const settings = deploySettings(env);
  const since = w.emulator.state().requests.length;
  const result = await runDeploy(settings, settings.options, { git: createGit(w.repo.dir), sink, env });
  return { ...result, sink, writes: w.writes(since) };
}

/** Where `needle` starts in the definition's file text, 1-based. */
function positionOf(definition: Definition, needle: string): { line: number; column: number } {
  const lines = formatCanonical(definition).split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  return { line: line + 1, column: lines[line].indexOf(needle) + 1 };
}

describe('deploy validates before any write', () => {
  it('refuses a reference to an output the node does not produce, located in the file', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    const end = d.dsl.workflow!.graph.nodes.findIndex((n) => n.data.type === 'end');
    const outputs = d.dsl.workflow!.graph.nodes[end].data.outputs as Array<{ value_selector: string[] }>;
    outputs[0].value_selector = [outputs[0].value_selector[0], 'answer_text'];
    world.seed(d);
    await world.commit([d]);

    const run = await deploy(world);
    expect(run.exitCode).toBe(1);
    expect(run.writes).toEqual([]);
    // The selector's opening bracket: the value at the reported path.
    const key = positionOf(d, '"value_selector": [');
    const [line, column] = [key.line, key.column + '"value_selector": '.length];
    const diagnostic = run.sink.lines.find((l) => l.includes('does not produce'));
    expect(diagnostic).toMatch(
      new RegExp(
        `^workflows/alpha\\.json:${line}:${column}: error: .*reads "answer_text".*\\[/dsl/workflow/graph/nodes/${end}/data/outputs/0/value_selector\\]$`,
      ),
    );
    expect(run.sink.text()).toContain('Validation failed: nothing was deployed.');
  });

  it('refuses a DSL newer than the server takes before any write, unless allowed', async () => {
    // The emulator as Dify 1.12.1: X-Version 1.12.1, DSL 0.5.0 (api/services/app_dsl_service.py).
    world = await createDeployWorld({ serverVersion: '1.12.1', dslVersion: '0.5.0' });
    const d = echoDefinition('alpha', A);
    d.dsl.version = '0.6.0';
    world.seed(d);
    await world.commit([d]);

    const refused = await deploy(world);
    expect(refused.exitCode).toBe(1);
    expect(refused.writes).toEqual([]);
    const { line, column } = positionOf(d, '"0.6.0"');
    const annotation = refused.sink.lines.find((l) => l.startsWith('workflows/alpha.json:'));
    expect(annotation).toMatch(
      new RegExp(
        `^workflows/alpha\\.json:${line}:${column}: error: alpha 1\\.0\\.0 \\(production\\): failed\\. DSL version 0\\.6\\.0 is newer than Dify 1\\.12\\.1 takes \\(0\\.5\\.0 at most\\); nothing was written\\.[\\s\\S]*allow-dsl-version-change: true[\\s\\S]*\\[/dsl/version\\]$`,
      ),
    );

    const allowed = await deploy(world, { 'INPUT_ALLOW-DSL-VERSION-CHANGE': 'true' });
    expect(allowed.exitCode, allowed.sink.text()).toBe(0);
    expect(allowed.writes.map((w) => w.path)).toContainEqual(expect.stringMatching(/^\/console\/api\/apps\/imports\/[^/]+\/confirm$/));
  });
});
