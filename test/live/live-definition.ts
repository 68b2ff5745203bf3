// The live suite's own workflow: the passthrough example (start → end echoing `query`) aimed at the
// suite's app, with a secret environment variable the End node also outputs, so a run shows which
// value is live.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Definition } from '../../src/definition/types.js';
import { REPO_ROOT } from '../support/run-action.js';

export const NAME = 'live-echo';

/** The secret environment variable the suite's workflow carries, and the variable its value comes from. */
export const SECRET = { dsl: 'LIVE_SECRET', env: 'DIFY_GITOPS_LIVE_SECRET' };

/**
 * The passthrough example (start → end echoing `query`) aimed at the suite's own app, with a secret
 * environment variable that the End node also outputs, so a run shows which value is live.
 */
export function liveDefinition(
  app: { id: string; name: string },
  version: string,
  options: { title?: string; expect?: string } = {},
): Definition {
  const d = JSON.parse(readFileSync(path.join(REPO_ROOT, 'workflows/passthrough.json'), 'utf8')) as Definition;
  const dsl = structuredClone(d.dsl);
  dsl.workflow!.environment_variables = [
    { id: 'c0ffee00-0000-4000-8000-00000000005e', name: SECRET.dsl, value: '', value_type: 'secret', description: '' },
  ];
  const end = dsl.workflow!.graph.nodes[1].data as unknown as {
    outputs: Array<{ value_selector: string[]; value_type: string; variable: string }>;
  };
  end.outputs.push({ value_selector: ['env', SECRET.dsl], value_type: 'string', variable: 'secret' });
  // Imports rename the app to the DSL's name: keep the created name, so it stays recognisably the suite's.
  dsl.app.name = app.name;
  if (options.title) dsl.workflow!.graph.nodes[1].data.title = options.title;
  const smoke = structuredClone(d.smoke ?? []);
  if (options.expect) smoke[0].expect.contains = { query: options.expect };
  return { ...d, name: NAME, version, app: { production: app.id }, dsl, smoke, secrets: { [SECRET.dsl]: SECRET.env } };
}
