// Changing a live app "behind the repo's back", as someone in Dify's UI would: import an edited
// DSL into the draft through the console API, and optionally publish it.
import { stringifyPyYaml } from '../../src/support/pyyaml.js';
import { createDifyConsole } from '../../src/dify/client.js';
import type { Definition } from '../../src/definition/types.js';
import { EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';

export async function editLiveApp(world: DeployWorld, definition: Definition, options: { publish: boolean }): Promise<void> {
  const dify = await createDifyConsole({ baseUrl: world.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
  try {
    const appId = typeof definition.app === 'string' ? definition.app : (definition.app.production ?? definition.app['*']);
    // YAML 1.1 quoting, so the emulator (which reads YAML 1.1, y/n included) keeps `y:` position keys as strings.
    const result = await dify.importDsl(appId, stringifyPyYaml(definition.dsl));
    if (result.status === 'failed' || result.status === 'pending') throw new Error(`edit import ${result.status}: ${result.error}`);
    // Published from the UI: no dify-gitops marks.
    if (options.publish) await dify.publish(appId, { markedName: '', markedComment: '' });
  } finally {
    await dify.close?.();
  }
}

/**
 * A GitHub pull_request event payload file, as the runner writes it for acme/flows. `fork`: the
 * head is another user's copy; `projectIsFork`: acme/flows is itself a fork, so even its own
 * branches come from a repository with `fork: true`.
 */
export async function writePullRequestEvent(
  world: DeployWorld,
  event: { number: number; base: string; fork?: boolean; projectIsFork?: boolean },
): Promise<string> {
  const { writeFile } = await import('node:fs/promises');
  const file = `${world.repo.dir}/../event.json`;
  const head = event.fork
    ? { full_name: 'contributor/flows', fork: true }
    : { full_name: 'acme/flows', fork: event.projectIsFork ?? false };
  const base = { full_name: 'acme/flows', fork: event.projectIsFork ?? false };
  await writeFile(
    file,
    JSON.stringify({ pull_request: { number: event.number, base: { sha: event.base, repo: base }, head: { repo: head } } }),
  );
  return file;
}
