// After a healthy deploy: an immutable tag per workflow version, and on GitHub a release and a
// deployment record. Each step is idempotent so a re-run converges. The app is live and healthy
// by now, so a failure here fails the job (the record is missing) but never rolls the app back.
import type { GitHub } from '../git/github.js';
import type { Definition } from '../definition/types.js';
import { summarizeChanges } from '../definition/change-summary.js';
import { describeError } from '../support/errors.js';
import { mapLimit } from '../support/concurrency.js';
import { renderReleaseNotes } from '../report/release-notes.js';
import type { StageContext } from '../stages/context.js';
import type { DefinitionOutcome } from '../outcomes.js';
import { previousSnapshot } from './snapshots.js';

/** What a release is about: the same fields on a deploy target and on a deploy outcome. */
export interface ReleaseSubject {
  name: string;
  version: string;
  environment: string;
  hash?: string;
}

function tagMessage(subject: ReleaseSubject, commit: string): string {
  return `${subject.name} ${subject.version} (${subject.environment})\n\ndsl sha256:${subject.hash ?? '?'}\ncommit ${commit}\n`;
}

export function releaseNotRecorded(error: unknown): string {
  return `deployed and healthy, but the release could not be recorded: ${describeError(error)} (re-run the job: tags and releases are idempotent)`;
}

/** Push every tag of the run in one push, then the GitHub release and deployment of each. */
export async function finishReleases(
  ctx: StageContext,
  deployed: Array<{ outcome: DefinitionOutcome; definition: Definition }>,
  /** GitHub releases written at once. */
  concurrency: number,
): Promise<void> {
  const fresh = deployed.filter((d) => d.outcome.result === 'deployed' && d.outcome.tag && !d.outcome.error);
  const tagged = [...fresh, ...(await missingReleases(ctx, deployed))];
  if (tagged.length === 0) return;
  /** The commit each tag names: this run's, or the one an earlier release of the same version tagged. */
  const commitOf = new Map<string, string>();
  try {
    // A version released before (live again after a rollback, redeployed by a later commit: the
    // deploy checked its content is the released one) keeps its tag where it is: releases are immutable.
    // One listing for the run; only those already tagged (rare) are looked up one by one.
    const existing = new Set(await ctx.git.listTags('*@v*'));
    const commits = await Promise.all(
      tagged.map(async (d) => (existing.has(d.outcome.tag!) ? await ctx.git.tagTarget(d.outcome.tag!) : null) ?? ctx.commit),
    );
    for (const [i, d] of tagged.entries()) commitOf.set(d.outcome.tag!, commits[i]);
    // All tags of the run in one git process and one push: per-tag git calls dominate a wide fan-out.
    const { created } = await ctx.git.createAnnotatedTags(
      tagged.map((d, i) => ({ tag: d.outcome.tag!, commit: commits[i], message: tagMessage(d.outcome, commits[i]) })),
    );
    for (const d of tagged)
      ctx.sink.info(`[${d.outcome.name}] tagged ${d.outcome.tag}${created.includes(d.outcome.tag!) ? '' : ' (already there)'}`);
    const { pushed } = await ctx.git.pushTags(tagged.map((d) => d.outcome.tag!));
    ctx.sink.info(
      pushed.length ? `Pushed ${pushed.length} release tag(s) to origin: ${pushed.join(', ')}` : 'Release tags were already on origin.',
    );
  } catch (error) {
    for (const d of tagged) d.outcome.error = releaseNotRecorded(error);
    ctx.sink.warn(releaseNotRecorded(error));
    return;
  }
  const github = ctx.github;
  if (!github) return;
  await mapLimit(tagged, concurrency, async ({ outcome, definition }) => {
    try {
      const previous = await previousSnapshot(ctx.git, definition, outcome.file);
      const changes = summarizeChanges(previous?.definition, definition);
      const url = await publishGitHubRelease(github, {
        tag: outcome.tag!,
        subject: outcome,
        commit: commitOf.get(outcome.tag!) ?? ctx.commit,
        changes,
        runUrl: ctx.runUrl,
      });
      ctx.sink.info(`[${outcome.name}] release ${url}`);
      await recordDeployment(github, {
        ref: outcome.tag!,
        subject: outcome,
        state: 'success',
        description: 'deployed and healthy',
        logUrl: ctx.runUrl,
      });
    } catch (error) {
      outcome.error = releaseNotRecorded(error);
      ctx.sink.warn(`[${outcome.name}] ${outcome.error}`);
    }
  });
}

/**
 * Unchanged definitions whose live version the marks call this very release, verified, while origin
 * lacks its tag: a run whose tag push was rejected left the release unrecorded, and a re-run must
 * complete it rather than call it done. One ls-remote for the run; a failure to look only warns.
 */
async function missingReleases(
  ctx: StageContext,
  outcomes: Array<{ outcome: DefinitionOutcome; definition: Definition }>,
): Promise<Array<{ outcome: DefinitionOutcome; definition: Definition }>> {
  const live = outcomes.filter((d) => d.outcome.result === 'skipped' && d.outcome.tag);
  if (live.length === 0) return [];
  try {
    const missing = new Set(await ctx.git.missingRemoteTags(live.map((d) => d.outcome.tag!)));
    const repairs = live.filter((d) => missing.has(d.outcome.tag!));
    for (const d of repairs)
      ctx.sink.info(`[${d.outcome.name}] ${d.outcome.tag} is live and verified but not on origin: recording its release now`);
    return repairs;
  } catch (error) {
    ctx.sink.warn(`Could not check origin for the release tags of unchanged definitions: ${describeError(error)}`);
    return [];
  }
}

export async function publishGitHubRelease(
  github: GitHub,
  release: { tag: string; subject: ReleaseSubject; commit: string; changes: string[]; runUrl?: string },
): Promise<string> {
  const { subject } = release;
  const { url } = await github.ensureRelease({
    tag: release.tag,
    name: `${subject.name} ${subject.version}`,
    body: renderReleaseNotes(release),
    commit: release.commit,
  });
  return url;
}

/** A deployment record per environment, so GitHub's environment page shows what is live. */
export async function recordDeployment(
  github: GitHub,
  deployment: { ref: string; subject: ReleaseSubject; state: 'success' | 'failure'; description: string; logUrl?: string },
): Promise<void> {
  const { subject } = deployment;
  const id = await github.createDeployment({
    ref: deployment.ref,
    environment: subject.environment,
    description: `${subject.name} ${subject.version}`,
    payload: { workflow: subject.name, version: subject.version, hash: subject.hash },
  });
  await github.setDeploymentStatus(id, { state: deployment.state, description: deployment.description, logUrl: deployment.logUrl });
}
