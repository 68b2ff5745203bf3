// Commit some working-tree files onto a branch and push it, without touching what is checked out:
// a throw-away index builds the tree on top of HEAD, so the job's checkout and index stay as they were.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertNotOption, createGitRunner, toGitError } from './git-run.js';

/** Used when the runner has no git identity configured (actions/checkout sets none). */
const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

export interface BranchCommit {
  /** The new commit, or null when the files equal HEAD (nothing to propose). */
  commit: string | null;
  pushed: boolean;
}

/**
 * HEAD + `files` (repo-relative) as one commit on `branch`, force-pushed to `remote`: the branch
 * belongs to dify-gitops and is regenerated from the current HEAD on every run.
 */
export async function commitFilesToBranch(
  cwd: string,
  options: { branch: string; files: string[]; message: string; remote?: string },
): Promise<BranchCommit> {
  const remote = options.remote ?? 'origin';
  assertNotOption(options.branch, 'branch');
  assertNotOption(remote, 'remote');
  const run = createGitRunner(cwd);
  const must = async (args: string[], env?: Record<string, string>) => {
    const result = await run(args, { env });
    if (result.exitCode !== 0) throw toGitError(args, result);
    return result.stdout.trim();
  };
  const scratch = await mkdtemp(path.join(tmpdir(), 'dify-gitops-index-'));
  try {
    const index = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    await must(['read-tree', 'HEAD'], index);
    await must(['add', '--', ...options.files], index);
    const tree = await must(['write-tree'], index);
    if (tree === (await must(['rev-parse', 'HEAD^{tree}']))) return { commit: null, pushed: false };
    const commit = await must(['commit-tree', tree, '-p', 'HEAD', '-m', options.message], await identityEnv(run));
    await must(['push', '--force', remote, `${commit}:refs/heads/${options.branch}`]);
    return { commit, pushed: true };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Fills in only what git lacks, so a configured identity is always respected. */
async function identityEnv(run: ReturnType<typeof createGitRunner>): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const [name, email] = await Promise.all([run(['config', '--get', 'user.name']), run(['config', '--get', 'user.email'])]);
  if (name.exitCode !== 0 || !name.stdout.trim()) Object.assign(env, { GIT_AUTHOR_NAME: BOT.name, GIT_COMMITTER_NAME: BOT.name });
  if (email.exitCode !== 0 || !email.stdout.trim()) Object.assign(env, { GIT_AUTHOR_EMAIL: BOT.email, GIT_COMMITTER_EMAIL: BOT.email });
  return env;
}
