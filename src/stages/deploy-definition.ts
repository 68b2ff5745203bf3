// One definition, start to finish: prepare → back up → import → publish → smoke-check → release,
// or, on any failure after the first write, roll back (content already live: release-unchanged.ts). Returns a named outcome; never throws.
// A cancelled job is a failure like any other: checked before each write, it ends the smoke run
// in progress, and whatever was written is rolled back while the job's time lasts.
import { registerSecret } from '../support/redact.js';
import type { ValidDefinition } from '../definition/types.js';
import type { WorkflowVersion } from '../dify/types.js';
import { describeError, isUserError, UserError } from '../support/errors.js';
import { backupLiveApp, type Backup } from './backup.js';
import type { StageContext } from './context.js';
import type { DefinitionOutcome } from '../outcomes.js';
import { importDraft, publishDraft, tryMarkVerified } from './import-publish.js';
import { restoreCommandFor, rollbackDefinition } from './rollback.js';
import { runSmokeChecks, smokeKeyFor, tallyHealth, type HealthReport } from './smoke-check.js';
import { prepareTarget, type DeployTarget } from './target.js';
import { assertCanEvaluate, gateOnEvals, restoreDraftAfterGate } from './eval-gate.js';
import { releaseTag } from '../release/tags.js';
import { buildMismatchMarks, carriesVerifiedHash } from '../release/marks.js';
import { publishedWorkflowHash } from '../definition/workflow-hash.js';
import { assertDslFitsServer } from '../definition/dsl-version.js';
import type { DeployOptions } from '../settings.js';
import { readDefinition } from '../definition/load.js';
import { sourceText } from '../definition/dsl-file.js';
import { diffAppBlocks, stateFromDsl, stateFromLive } from '../plan/app-state.js';
import { releaseUnchanged } from './release-unchanged.js';

export interface DeployItem {
  file: string;
  definition: ValidDefinition;
  /** The file's text (and its DSL file's: sourceText) at the deployed commit, to compare with an existing release tag. */
  text?: string;
}

/** What a deploy may do to one definition: the deploy options its stages read. */
export type DeployPolicy = Pick<DeployOptions, 'dryRun' | 'backupDir' | 'allowDslVersionChange' | 'rollbackOnFailure' | 'evalConcurrency'>;

export async function deployDefinition(ctx: StageContext, item: DeployItem, policy: DeployPolicy): Promise<DefinitionOutcome> {
  const started = performance.now();
  const { definition, file } = item;
  const environment = ctx.environment;
  const outcome: DefinitionOutcome = {
    name: definition.name,
    version: definition.version,
    file,
    environment,
    result: 'failed',
    durationMs: 0,
    notes: [],
  };
  const log = (line: string) => ctx.sink.info(`[${definition.name}] ${line}`);
  const done = (patch: Partial<DefinitionOutcome>) => Object.assign(outcome, patch, { durationMs: performance.now() - started });

  if (ctx.cancel?.requested.aborted) {
    log('not started: the job was cancelled');
    return done({ result: 'failed', error: 'Not started: the job was cancelled before this definition began. Nothing was written.' });
  }

  let target: DeployTarget;
  let backup: Backup;
  let liveAtStart: WorkflowVersion | null = null;
  try {
    target = prepareTarget(definition, environment, ctx.env);
    for (const value of target.secretValues) registerSecret(value);
    // Dify would hold a DSL newer than it takes as pending; refusing here keeps the app untouched.
    assertDslFitsServer(target.dsl, ctx.dify.serverVersion(), policy.allowDslVersionChange);
    const published = await ctx.dify.getPublished(target.appId);
    liveAtStart = published;
    // Live and verified with this content, unless the app's settings were edited in Dify since: the
    // import is what puts them back (plan shows the same test, in plan/build.ts).
    const edited = published && carriesVerifiedHash(published, target.hash) ? await findAppEdits(ctx, target) : null;
    if (published && edited?.length === 0) {
      if (published.marked_name === definition.version) {
        log(`already live (published version ${published.marked_name || published.id} carries this content hash): no write`);
        // The marks say this release is live and verified: its tag and GitHub release must exist too
        // (a rejected push leaves them missing), so finishReleases completes them.
        return done({
          result: 'skipped',
          notes: ['already live'],
          tag: releaseTag(definition.name, definition.version),
          hash: target.hash,
        });
      }
      await assertVersionUnreleased(ctx, item);
      return done(await releaseUnchanged(ctx, { definition, target, live: published, dryRun: policy.dryRun }, log));
    }
    if (edited?.length) log(`the app's ${edited.join(', ')} changed in Dify since this content was deployed: importing puts them back`);
    await assertVersionUnreleased(ctx, item);
    assertCanEvaluate(ctx, definition);
    if (policy.dryRun) {
      log(
        `would import into app ${target.appId}, ${gateWords(definition)}publish as ${definition.version}, run ${definition.smoke?.length ?? 0} smoke check(s) and tag ${definition.name}@v${definition.version}`,
      );
      return done({ result: 'would-deploy' });
    }
    backup = await backupLiveApp(ctx.dify, {
      appId: target.appId,
      name: definition.name,
      environment,
      dir: policy.backupDir,
      published,
    });
    log(
      backup.yaml
        ? `backed up the live draft to ${backup.file} (sha256 ${backup.sha256.slice(0, 12)})`
        : 'the app has no draft yet: nothing to back up',
    );
    throwIfCancelled(ctx, 'before any write');
  } catch (error) {
    // Nothing was written to Dify yet: fail this definition and leave the app as it was.
    log(`✗ ${describeError(error)}`);
    return done({ result: 'failed', error: describeError(error), pointer: isUserError(error) ? error.location?.path : undefined });
  }

  let published = false;
  /** The id of the version this run published, read back and proved ours. */
  let ours: string | undefined;
  let health: HealthReport | undefined;
  try {
    const imported = await importDraft(ctx.dify, target, { allowVersionChange: policy.allowDslVersionChange });
    log(`imported into the draft (${imported.status})`);
    if (imported.warning) outcome.notes.push(imported.warning);
    await assertLiveUnmoved(ctx, target.appId, liveAtStart?.id ?? null);
    throwIfCancelled(ctx, 'after importing the draft, before publishing');
    await gateOnEvals(ctx, definition, target.appId, { live: liveAtStart !== null, concurrency: policy.evalConcurrency }, outcome, log);
    throwIfCancelled(ctx, 'after the evals, before publishing');
    await publishDraft(ctx.dify, target, ctx.commit);
    published = true;
    ours = await assertPublishedOurs(ctx, target, log);
    log(`published ${definition.version}`);
    throwIfCancelled(ctx, 'after publishing, before the smoke checks');
    const key = await smokeKeyFor(ctx, definition, target.appId);
    health = await runSmokeChecks(definition, ctx.service(key), {
      retryBudget: ctx.smokeRetryBudget,
      onProgress: log,
      signal: ctx.cancel?.requested,
    });
    if (!health.passed) {
      throwIfCancelled(ctx, 'during the smoke checks');
      const failed = health.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.failures.join('; ')}`);
      throw new UserError('deploy.smoke', `smoke check failed: ${failed.join(' | ')}`);
    }
  } catch (error) {
    log(`✗ ${describeError(error)}`);
    const failure = describeError(error);
    if (isUserError(error, 'deploy.eval-gate')) {
      // Nothing was published: put the draft back as it was, and leave live alone.
      return done(await restoreDraftAfterGate(ctx, { item, target, backup, liveBefore: liveAtStart, log, error: failure }));
    }
    if (isUserError(error, 'deploy.concurrent')) {
      // Another run owns the app now: restoring our backup would undo its work. Stop, loudly.
      return done({ result: 'failed', error: failure, backupFile: backup.file });
    }
    if (isUserError(error, 'deploy.raced')) {
      // Live is someone else's content under our publish: rolling it back blindly would undo their
      // work, so stop without marking or tagging and name the command that puts back what was live.
      const manualCommand = await restoreCommandFor(ctx, item, backup.file, liveAtStart);
      log(`not rolled back (the content live is another run's or editor's); to put back what was live before: ${manualCommand}`);
      return done({ result: 'failed', error: failure, backupFile: backup.file, manualCommand });
    }
    if (!policy.rollbackOnFailure) {
      return done({
        result: 'failed',
        error: failure,
        backupFile: backup.file,
        manualCommand: await restoreCommandFor(ctx, item, backup.file, liveAtStart),
      });
    }
    const rollback = await rollbackDefinition(ctx, { item, target, backup, published, log, liveBefore: liveAtStart });
    // Dify's own hint ("…then re-run") is wrong once a restore failed: re-running redeploys the bad version.
    const error_ = rollback.result === 'restore-failed' ? (error as Error).message : failure;
    return done({ ...rollback, error: error_, backupFile: backup.file, notes: [...outcome.notes, ...(rollback.notes ?? [])] });
  }

  await tryMarkVerified(ctx.dify, target.appId, log, ours);
  done({ result: 'deployed', checks: tallyHealth(health!), backupFile: backup.file, hash: target.hash });
  // The tag is created and pushed with every other release of the run, in one go (finishReleases).
  return done({ tag: releaseTag(definition.name, definition.version) });
}

/** The app settings (name, description, icon) that differ between the live app and the definition. */
async function findAppEdits(ctx: StageContext, target: DeployTarget): Promise<string[]> {
  const live = stateFromLive({ app: await ctx.dify.getApp(target.appId), workflow: null });
  return diffAppBlocks(live.app, stateFromDsl(target.dsl).app).map((change) => change.path);
}

/** What a dry run says of the eval gate, when there is one. */
function gateWords(definition: ValidDefinition): string {
  const cases = definition.evals?.cases?.length ?? 0;
  return cases ? `run ${cases} eval case(s) against the draft and live (publishing only if every gate passes), ` : '';
}

/** The job was cancelled: stop here. After a write, the caller's catch rolls back. */
function throwIfCancelled(ctx: StageContext, when: string): void {
  if (!ctx.cancel?.requested.aborted) return;
  throw new UserError('deploy.cancelled', `The job was cancelled ${when}.`, {
    hint: 'Re-run the deploy when you want this version live.',
  });
}

/**
 * A release is immutable: if `<name>@v<version>` exists with other content, deploying would put a
 * second "1.2.0" live that no tag describes. Refuse before any write; the fix is a version bump.
 */
async function assertVersionUnreleased(ctx: StageContext, item: DeployItem): Promise<void> {
  const tag = releaseTag(item.definition.name, item.definition.version);
  if (!(await releasedTags(ctx)).has(tag)) return;
  const released = await readDefinition((file) => ctx.git.show(tag, file), item.file);
  if (released !== null && item.text !== undefined && sourceText(released) === item.text) return;
  throw new UserError(
    'release.exists',
    `${item.definition.name} ${item.definition.version} is already released (${tag}) with different content.`,
    {
      hint: `Bump "version" in ${item.file} (releases are immutable), then push again.`,
      location: { path: '/version' },
    },
  );
}

/** Release tags, listed once per run: a git process per definition would cost more than its Dify calls. */
const tagsByRun = new WeakMap<StageContext, Promise<Set<string>>>();
function releasedTags(ctx: StageContext): Promise<Set<string>> {
  let tags = tagsByRun.get(ctx);
  if (!tags) {
    tags = ctx.git.listTags('*@v*').then((list) => new Set(list));
    tagsByRun.set(ctx, tags);
  }
  return tags;
}

/**
 * Two runs importing into one draft: the publish takes whatever the draft holds at that moment, so
 * what went live is read back and compared with what this run imported before anything is marked,
 * tagged or released. On a mismatch the marks are corrected (best effort) so they never name a
 * release whose content is not live.
 */
async function assertPublishedOurs(ctx: StageContext, target: DeployTarget, log: (line: string) => void): Promise<string> {
  const live = await ctx.dify.getPublished(target.appId);
  const actual = live ? publishedWorkflowHash(live) : 'none';
  if (live && actual === target.workflowHash) return live.id;
  if (live) {
    try {
      await ctx.dify.markVersion(target.appId, live.id, buildMismatchMarks(target, actual));
    } catch (error) {
      log(`could not correct the marks of the published version (${describeError(error)})`);
    }
  }
  throw new UserError(
    'deploy.raced',
    `What was published in app ${target.appId} is not what this run imported (live content sha256 ${actual.slice(0, 12)}, ${target.name} ${target.version} is ${target.workflowHash.slice(0, 12)}): another deploy or an editor changed the draft between this run's import and its publish.`,
    {
      hint: 'Nothing was marked verified, tagged or released. Give your deploy workflow a `concurrency:` group (see the README) so runs queue instead of racing; check which content should be live, then re-run the deploy you want live.',
    },
  );
}

/** Two runs racing on one app: the later one must notice the live version moved under it. */
async function assertLiveUnmoved(ctx: StageContext, appId: string, seen: string | null): Promise<void> {
  const now = (await ctx.dify.getPublished(appId))?.id ?? null;
  if (now !== seen) {
    throw new UserError(
      'deploy.concurrent',
      `The live version of app ${appId} changed during this deploy (from ${seen ?? 'none'} to ${now ?? 'none'}); not publishing over it.`,
      {
        hint: 'Another deploy published this app while this run was importing. Give your deploy workflow a `concurrency:` group (see the README) so runs queue instead of racing; then re-run.',
      },
    );
  }
}
