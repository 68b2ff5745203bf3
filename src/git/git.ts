// The local repository as the commands need it: what changed, what a file looked like at a
// release, and immutable release tags. Built once per run and passed into the stages.
import { type GitError, gitError } from './errors.js';
import { assertNotOption, createGitRunner, toGitError } from './git-run.js';

export interface Git {
  /** The commit checked out. */
  headSha(): Promise<string>;
  /** The commit a ref names, or null when this clone does not have it. */
  resolve(ref: string): Promise<string | null>;
  /**
   * Files added or modified (renames count as added) between two commits, repo-relative.
   * Throws a GitError with code `git.unknown-ref` when either commit is missing (first push,
   * shallow clone), so the caller can fall back to "everything changed".
   */
  changedFiles(base: string, head: string, pathspec: string): Promise<string[]>;
  /** A file's text at a ref (repo-relative path), or null when it does not exist there. */
  show(ref: string, path: string): Promise<string | null>;
  /** Local tags matching a glob, e.g. `support-bot@v*`. */
  listTags(pattern: string): Promise<string[]>;
  /** The commit a tag points at (annotated tags peeled), or null when there is no such tag. */
  tagTarget(tag: string): Promise<string | null>;
  /** Creates an annotated tag; a no-op when it already points at `commit`, refused when it points elsewhere. */
  createAnnotatedTag(tag: string, commit: string, message: string): Promise<{ created: boolean }>;
  /** Pushes one tag; a no-op when the remote already has it on the same commit, refused when elsewhere. */
  pushTag(tag: string, remote?: string): Promise<{ pushed: boolean }>;
  /** Creates many annotated tags with one git process, with the same rules as createAnnotatedTag. */
  createAnnotatedTags(tags: Array<{ tag: string; commit: string; message: string }>): Promise<{ created: string[] }>;
  /** Pushes many tags in one go, with the same rules as pushTag; returns those actually pushed. */
  pushTags(tags: string[], remote?: string): Promise<{ pushed: string[] }>;
  /** Of these tags, those the remote does not have (one ls-remote): what a re-run must still push. */
  missingRemoteTags(tags: string[], remote?: string): Promise<string[]>;
  fetchTags(remote?: string): Promise<void>;
  hasAnyTags(): Promise<boolean>;
  isShallow(): Promise<boolean>;
  /** The branch checked out, or null on a detached HEAD (pull-request checkouts). */
  currentBranch(): Promise<string | null>;
}

/** Used as tagger when the runner has no git identity configured (actions/checkout sets none). */
const BOT_IDENTITY = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

/** Release tags are `<slug>@v<semver>` built from validated definitions; anything else is refused. */
function assertReleaseTagName(tag: string): void {
  if (!/^[a-z0-9][a-z0-9-]*@v[0-9A-Za-z.+-]+$/.test(tag) || tag.includes('..') || tag.endsWith('.')) {
    throw gitError(`${JSON.stringify(tag)} is not a release tag name (<name>@v<version>)`, {
      code: 'git.invalid-ref',
      args: [],
      hint: 'Definition names are lowercase slugs and versions are semver.',
    });
  }
}

/** Tag pushes refused while other jobs push to the same origin are tried this many times in all. */
const PUSH_ATTEMPTS = 3;
const PUSH_RETRY_MS = 1000;

export function createGit(cwd: string, deps: { log?: (line: string) => void; sleep?: (ms: number) => Promise<void> } = {}): Git {
  const run = createGitRunner(cwd, deps.log);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** Runs a command that must succeed and returns its stdout. */
  async function output(args: string[], env?: Record<string, string>): Promise<string> {
    const result = await run(args, { env });
    if (result.exitCode !== 0) throw toGitError(args, result);
    return result.stdout;
  }

  async function resolve(ref: string): Promise<string | null> {
    assertNotOption(ref, 'ref');
    return revParse(`${ref}^{commit}`);
  }

  async function tagTarget(tag: string): Promise<string | null> {
    assertNotOption(tag, 'tag');
    // Fully qualified so a branch with the same name is never picked instead.
    return revParse(`refs/tags/${tag}^{commit}`);
  }

  /** --quiet makes a missing ref exit 1 with no output; anything else (no repo, …) is an error. */
  async function revParse(spec: string): Promise<string | null> {
    const args = ['rev-parse', '--verify', '--quiet', spec];
    const result = await run(args);
    if (result.exitCode === 0) return result.stdout.trim();
    if (result.exitCode === 1 && !result.stderr.trim()) return null;
    throw toGitError(args, result);
  }

  async function requireCommit(ref: string, role: string): Promise<string> {
    const sha = await resolve(ref);
    if (sha) return sha;
    throw gitError(`The ${role} ${ref} is not a commit in this clone`, {
      code: 'git.unknown-ref',
      args: ['rev-parse', '--verify', `${ref}^{commit}`],
      hint: 'Check out with `fetch-depth: 0` in actions/checkout so earlier commits and tags are present.',
    });
  }

  async function assertTagName(tag: string): Promise<void> {
    assertNotOption(tag, 'tag');
    const args = ['check-ref-format', `refs/tags/${tag}`];
    const result = await run(args);
    if (result.exitCode !== 0) {
      throw gitError(`${JSON.stringify(tag)} is not a valid tag name`, {
        code: 'git.invalid-ref',
        args,
        exitCode: result.exitCode,
        stderr: result.stderr,
        hint: 'Tag names cannot contain spaces, "~", "^", ":", "?", "*", "[", "\\", ".." or "@{".',
      });
    }
  }

  /** The commit a remote tag points at (peeled), or null when the remote has no such tag. */
  async function remoteTagTarget(tag: string, remote: string): Promise<string | null> {
    const ref = `refs/tags/${tag}`;
    // The peeled `^{}` entry is only listed when asked for by name.
    const lines = (await output(['ls-remote', '--tags', remote, ref, `${ref}^{}`])).split('\n');
    const entries = lines.map((line) => line.trim().split('\t')).filter((parts) => parts.length === 2);
    // Annotated tags list twice: the tag object, then `^{}` with the commit it points at.
    const peeled = entries.find(([, name]) => name === `${ref}^{}`) ?? entries.find(([, name]) => name === ref);
    return peeled ? peeled[0] : null;
  }

  /** Asked once per run: many definitions tag in parallel. */
  let taggerEnvOnce: Promise<Record<string, string>> | undefined;
  const taggerEnv = () => (taggerEnvOnce ??= readTaggerEnv());

  /** Every local tag → the commit it points at (peeled), in one process. */
  async function localTagTargets(): Promise<Map<string, string>> {
    const lines = (await output(['for-each-ref', '--format=%(refname:strip=2) %(objectname) %(*objectname)', 'refs/tags'])).split('\n');
    const targets = new Map<string, string>();
    for (const line of lines) {
      const [name, object, peeled] = line.trim().split(' ');
      if (name) targets.set(name, peeled || object);
    }
    return targets;
  }

  /** The tagger for release tags: the configured identity, else the Actions bot. */
  let identityOnce: Promise<{ name: string; email: string }> | undefined;
  function taggerIdentity() {
    identityOnce ??= (async () => {
      const env = await taggerEnv();
      const [name, email] = await Promise.all([run(['config', '--get', 'user.name']), run(['config', '--get', 'user.email'])]);
      return { name: env.GIT_COMMITTER_NAME ?? name.stdout.trim(), email: env.GIT_COMMITTER_EMAIL ?? email.stdout.trim() };
    })();
    return identityOnce;
  }

  /** Every tag on the remote → the commit it points at (peeled). */
  async function remoteTagTargets(remote: string): Promise<Map<string, string>> {
    const targets = new Map<string, string>();
    for (const line of (await output(['ls-remote', '--tags', remote])).split('\n')) {
      const [sha, ref] = line.trim().split('\t');
      if (!sha || !ref?.startsWith('refs/tags/')) continue;
      const name = ref.slice('refs/tags/'.length);
      // Annotated tags list twice; the `^{}` entry (the commit) wins over the tag object.
      if (name.endsWith('^{}')) targets.set(name.slice(0, -3), sha);
      else if (!targets.has(name)) targets.set(name, sha);
    }
    return targets;
  }

  /** Fills in only the identity parts git lacks, so a configured identity is always respected. */
  async function readTaggerEnv(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    const [name, email] = await Promise.all([run(['config', '--get', 'user.name']), run(['config', '--get', 'user.email'])]);
    if (name.exitCode !== 0 || !name.stdout.trim()) env.GIT_COMMITTER_NAME = BOT_IDENTITY.name;
    if (email.exitCode !== 0 || !email.stdout.trim()) env.GIT_COMMITTER_EMAIL = BOT_IDENTITY.email;
    return env;
  }

  function tagConflict(tag: string, where: string, existing: string, wanted: string, fix: string): GitError {
    return gitError(`Tag ${tag} ${where} points at ${existing.slice(0, 12)}, not ${wanted.slice(0, 12)}; refusing to move a release tag`, {
      code: 'git.tag-conflict',
      args: [],
      hint: `Release tags are immutable: bump "version" in the definition to release this commit, or ${fix}.`,
    });
  }

  return {
    async headSha() {
      return requireCommit('HEAD', 'checked-out HEAD');
    },

    resolve,

    async changedFiles(base, head, pathspec) {
      const [from, to] = await Promise.all([requireCommit(base, 'base commit'), requireCommit(head, 'head commit')]);
      // -z keeps unusual file names verbatim (no quoting); --diff-filter=d drops deletions.
      const args = ['diff', '--name-only', '--no-renames', '--diff-filter=d', '-z', from, to, '--', pathspec];
      return (await output(args)).split('\0').filter(Boolean);
    },

    async show(ref, path) {
      const sha = await requireCommit(ref, 'ref');
      const args = ['cat-file', 'blob', `${sha}:${path}`];
      const result = await run(args);
      if (result.exitCode === 0) return result.stdout;
      // The commit exists (checked above), so a failure here means no file at that path.
      if (
        /does not exist|exists on disk|exists, but not|bad file|outside repository|invalid object name|not a valid object name/i.test(
          result.stderr,
        )
      ) {
        return null;
      }
      throw toGitError(args, result);
    },

    async listTags(pattern) {
      assertNotOption(pattern, 'tag pattern');
      return (await output(['tag', '--list', pattern]))
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    },

    tagTarget,

    async createAnnotatedTag(tag, commit, message) {
      await assertTagName(tag);
      const target = await requireCommit(commit, 'commit to tag');
      const existing = await tagTarget(tag);
      if (existing === target) return { created: false };
      if (existing) {
        throw tagConflict(tag, 'already', existing, target, `if the tag itself is wrong, delete it on purpose (git tag -d ${tag})`);
      }
      await output(['tag', '--annotate', '--message', message, tag, target], await taggerEnv());
      return { created: true };
    },

    async pushTag(tag, remote = 'origin') {
      await assertTagName(tag);
      assertNotOption(remote, 'remote');
      const local = await tagTarget(tag);
      if (!local) {
        throw gitError(`There is no local tag ${tag} to push`, {
          code: 'git.unknown-ref',
          args: [],
          hint: 'Create the tag first (createAnnotatedTag).',
        });
      }
      const before = await remoteTagTarget(tag, remote);
      if (before === local) return { pushed: false };
      const fix = `if the remote tag is wrong, delete it on purpose (git push ${remote} :refs/tags/${tag})`;
      if (before) throw tagConflict(tag, `on ${remote}`, before, local, fix);
      const args = ['push', remote, `refs/tags/${tag}:refs/tags/${tag}`];
      const result = await run(args);
      if (result.exitCode === 0) return { pushed: true };
      // Another job may have pushed the same release meanwhile; that is success, not a conflict.
      const after = await remoteTagTarget(tag, remote);
      if (after === local) return { pushed: false };
      if (after) throw tagConflict(tag, `on ${remote}`, after, local, fix);
      throw toGitError(args, result);
    },

    async createAnnotatedTags(tags) {
      if (tags.length === 0) return { created: [] };
      const existing = await localTagTargets();
      const commits = new Map<string, string>();
      const fresh: typeof tags = [];
      for (const t of tags) {
        assertReleaseTagName(t.tag);
        const target = commits.get(t.commit) ?? (await requireCommit(t.commit, 'commit to tag'));
        commits.set(t.commit, target);
        const there = existing.get(t.tag);
        if (there === target) continue;
        if (there)
          throw tagConflict(t.tag, 'already', there, target, `if the tag itself is wrong, delete it on purpose (git tag -d ${t.tag})`);
        fresh.push({ ...t, commit: target });
      }
      if (fresh.length === 0) return { created: [] };
      // fast-import writes every tag object and ref in one process; a `git tag` per release
      // costs more than all of a run's Dify calls when 32 definitions deploy at once.
      const { name, email } = await taggerIdentity();
      const when = `${Math.floor(Date.now() / 1000)} +0000`;
      const stream = fresh
        .map(
          (t) => `tag ${t.tag}\nfrom ${t.commit}\ntagger ${name} <${email}> ${when}\ndata ${Buffer.byteLength(t.message)}\n${t.message}\n`,
        )
        .join('');
      const args = ['fast-import', '--quiet'];
      const result = await run(args, { input: stream });
      if (result.exitCode !== 0) throw toGitError(args, result);
      return { created: fresh.map((t) => t.tag) };
    },

    async pushTags(tags, remote = 'origin') {
      if (tags.length === 0) return { pushed: [] };
      assertNotOption(remote, 'remote');
      const localTargets = await localTagTargets();
      const locals = tags.map((tag) => [tag, localTargets.get(tag) ?? null] as const);
      const missing = locals.find(([, sha]) => !sha);
      if (missing)
        throw gitError(`There is no local tag ${missing[0]} to push`, {
          code: 'git.unknown-ref',
          args: [],
          hint: 'Create the tag first (createAnnotatedTag).',
        });
      // One ls-remote and one push for the whole run: a push per tag costs a round trip each.
      const remoteTags = await remoteTagTargets(remote);
      const toPush: string[] = [];
      for (const [tag, sha] of locals) {
        const there = remoteTags.get(tag);
        if (there === sha) continue;
        if (there)
          throw tagConflict(
            tag,
            `on ${remote}`,
            there,
            sha!,
            `if the remote tag is wrong, delete it on purpose (git push ${remote} :refs/tags/${tag})`,
          );
        toPush.push(tag);
      }
      if (toPush.length === 0) return { pushed: [] };
      let pending = toPush;
      for (let attempt = 1; pending.length; attempt++) {
        const args = ['push', remote, ...pending.map((tag) => `refs/tags/${tag}:refs/tags/${tag}`)];
        const result = await run(args);
        if (result.exitCode === 0) break;
        // Another job may have pushed the same releases meanwhile; only a real difference is a failure.
        const after = await remoteTagTargets(remote);
        const moved = locals.find(([tag, sha]) => pending.includes(tag) && after.has(tag) && after.get(tag) !== sha);
        if (moved) {
          const fix = `if the remote tag is wrong, delete it on purpose (git push ${remote} :refs/tags/${moved[0]})`;
          throw tagConflict(moved[0], `on ${remote}`, after.get(moved[0])!, moved[1]!, fix);
        }
        // Jobs of a fleet push to one origin at once: a push refused meanwhile (a busy remote, a ref
        // lock) usually passes the next time, and a tag missing on origin would leave a release unrecorded.
        pending = pending.filter((tag) => !after.has(tag));
        if (pending.length && attempt >= PUSH_ATTEMPTS) throw toGitError(args, result);
        if (pending.length) await sleep(PUSH_RETRY_MS * attempt);
      }
      return { pushed: toPush };
    },

    async missingRemoteTags(tags, remote = 'origin') {
      if (tags.length === 0) return [];
      assertNotOption(remote, 'remote');
      const there = await remoteTagTargets(remote);
      return tags.filter((tag) => !there.has(tag));
    },

    async fetchTags(remote = 'origin') {
      assertNotOption(remote, 'remote');
      await output(['fetch', '--tags', remote]);
    },

    async hasAnyTags() {
      return (await output(['for-each-ref', '--count=1', '--format=%(refname)', 'refs/tags'])).trim() !== '';
    },

    async isShallow() {
      return (await output(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
    },

    async currentBranch() {
      const args = ['symbolic-ref', '--quiet', '--short', 'HEAD'];
      const result = await run(args);
      if (result.exitCode === 0) return result.stdout.trim();
      if (result.exitCode === 1) return null;
      throw toGitError(args, result);
    },
  };
}
