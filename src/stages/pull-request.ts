// pull with pull-request: true: the rewritten definitions go on the branch dify-gitops/pull-<env>
// (regenerated from HEAD each run) and one pull request proposes them, updated on later runs.
import type { CommonSettings } from '../settings.js';
import type { Git } from '../git/git.js';
import type { ReportSink } from '../report/sink.js';
import { connectGitHub } from './connect.js';
import { commitFilesToBranch } from '../git/branch-commit.js';
import { UserError } from '../support/errors.js';
import { renderPullRequestBody, type PulledFile } from '../report/pull-summary.js';

export async function proposePulledChanges(
  settings: CommonSettings,
  /** Aborted (the job was cancelled): a pushed branch gets no pull request. */
  deps: { git: Git; sink: ReportSink; signal?: AbortSignal },
  pulled: PulledFile[],
): Promise<string | undefined> {
  const { sink } = deps;
  if (pulled.length === 0) {
    sink.info('No definition changed: no pull request to open.');
    return undefined;
  }
  const github = connectGitHub(settings.github);
  if (!github)
    throw new UserError('usage', 'pull-request: true needs a GitHub token (github-token) and GITHUB_REPOSITORY to open the pull request.');
  const base = (await deps.git.currentBranch()) ?? 'main';
  const branch = `dify-gitops/pull-${settings.environment}`;
  const names = pulled.map((p) => p.name).join(', ');
  const { commit } = await commitFilesToBranch(settings.root, {
    branch,
    files: pulled.flatMap((p) => (p.dslFile ? [p.file, p.dslFile] : [p.file])),
    message: `Pull live edits of ${names} from Dify (${settings.environment})\n\nRewritten by dify-gitops pull from the live drafts.`,
  });
  if (!commit) {
    sink.info(`The pulled definitions equal ${base}: no pull request to open.`);
    return undefined;
  }
  sink.info(`Pushed ${commit.slice(0, 12)} to ${branch}.`);
  if (deps.signal?.aborted) {
    sink.warn(`The job was cancelled after the push: no pull request was opened. Open one from ${branch} into ${base}.`);
    return undefined;
  }
  const pull = await github.createPullRequest({
    head: branch,
    base,
    title: `Pull live edits from Dify (${settings.environment})`,
    body: renderPullRequestBody(settings.environment, pulled),
  });
  sink.info(`${pull.created ? 'Opened' : 'Updated'} pull request #${pull.number}: ${pull.url}`);
  return pull.url;
}
