// After a healthy deploy: an immutable tag per workflow version, and on GitHub a release and a
// deployment record. Each step is idempotent so a re-run converges.
import type { Git } from '../git/git.js';
import type { GitHub } from '../git/github.js';
import { releaseTag } from '../git/tags.js';
import type { DeployTarget } from './target.js';

export interface ReleaseOutcome {
  tag: string;
  tagCreated: boolean;
  tagPushed: boolean;
  releaseUrl?: string;
}

export async function tagRelease(git: Git, target: DeployTarget, commit: string, options: { push: boolean }): Promise<ReleaseOutcome> {
  const tag = releaseTag(target.name, target.version);
  const message = `${target.name} ${target.version} (${target.environment})\n\nworkflow sha256:${target.hash}\ncommit ${commit}\n`;
  const { created } = await git.createAnnotatedTag(tag, commit, message);
  const { pushed } = options.push ? await git.pushTag(tag) : { pushed: false };
  return { tag, tagCreated: created, tagPushed: pushed };
}

export async function publishGitHubRelease(github: GitHub, release: { tag: string; target: DeployTarget; commit: string; changes: string[]; runUrl?: string }): Promise<string> {
  const { target } = release;
  const body = [
    `Deployed **${target.name} ${target.version}** to **${target.environment}** by dify-gitops.`,
    '',
    '### Changes',
    ...release.changes.map((line) => `- ${line}`),
    '',
    `Workflow content sha256: \`${target.hash}\``,
    release.runUrl ? `Run: ${release.runUrl}` : '',
  ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
  const { url } = await github.ensureRelease({ tag: release.tag, name: `${target.name} ${target.version}`, body: body.join('\n'), commit: release.commit });
  return url;
}

/** A deployment record per environment, so GitHub's environment page shows what is live. */
export async function recordDeployment(github: GitHub, deployment: { ref: string; target: DeployTarget; state: 'success' | 'failure'; description: string; logUrl?: string }): Promise<void> {
  const id = await github.createDeployment({
    ref: deployment.ref,
    environment: deployment.target.environment,
    description: `${deployment.target.name} ${deployment.target.version}`,
    payload: { workflow: deployment.target.name, version: deployment.target.version, hash: deployment.target.hash },
  });
  await github.setDeploymentStatus(id, { state: deployment.state, description: deployment.description, logUrl: deployment.logUrl });
}
