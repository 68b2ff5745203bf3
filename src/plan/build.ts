// One definition's plan, built from data the command has already read: the repo's DSL, the live
// published workflow, the live draft and the last release (live plans), or the definition at the base ref
// (offline plans, for fork pull requests). Pure: no I/O, no clock.
import type { Definition, DifyDsl } from '../definition/types.js';
import type { AppInfo, WorkflowVersion } from '../dify/types.js';
import { dslContentHash } from '../definition/canonical.js';
import { carriesVerifiedHash } from '../release/marks.js';
import { EMPTY_WORKFLOW, isEmptyDiff, type WorkflowDiff } from './diff.js';
import { partsFromPublished } from '../definition/workflow-parts.js';
import { type AppState, compareStates, diffAppBlocks, sameState, stateFromDsl, stateFromExport, stateFromLive } from './app-state.js';
import { parsePyYaml } from '../support/pyyaml.js';
import { shapeOf, type GraphChange } from './graph-shape.js';

/**
 * create: first published version (or, offline, a new definition); update: the app changes;
 * republish: same content, but the live version is not marked as this definition's (deploy would
 * publish it again); release: same content, live and verified, under an older version (deploy imports
 * nothing, runs the smoke checks, re-marks and tags); noop: deploy would skip it; unchanged (offline):
 * only the envelope changed; invalid / error: no plan.
 */
export type PlanStatus = 'create' | 'update' | 'republish' | 'release' | 'noop' | 'unchanged' | 'invalid' | 'error';

export interface DriftNote {
  /** The release the live app was compared with. */
  tag: string;
  /** Release → live. */
  diff: WorkflowDiff;
  /** The repo already holds what is live: merging loses nothing. */
  adoptedByThisChange: boolean;
}

/** The draft in Dify's editor holds edits that were never published: the deploy's import replaces the draft. */
export interface DraftNote {
  /** What the draft was compared with: the published version, or (nothing published) the last release. */
  against: 'published' | 'release';
  /** The published version's name or the release tag; null for an unnamed published version. */
  againstName: string | null;
  /** Published (or release) → draft. */
  diff: WorkflowDiff;
  /** The repo already holds what the draft holds: merging loses nothing. */
  adoptedByThisChange: boolean;
}

export interface DefinitionPlan {
  name: string;
  file: string;
  environment: string;
  mode: 'live' | 'offline';
  status: PlanStatus;
  appId?: string;
  /** Live: the published version's name (null when never published or unnamed). Offline: the base version. */
  versionFrom: string | null;
  versionTo: string;
  /** Whether a deploy would write nothing; null when it cannot be known (offline). */
  noop: boolean | null;
  /** Live → repo (offline: base → head), every family: app block, workflow, dependencies. */
  diff?: WorkflowDiff;
  /** The graph before and after, for the report's picture of it. */
  graph?: GraphChange;
  drift?: DriftNote;
  draft?: DraftNote;
  notes: string[];
  error?: string;
}

export interface LivePlanInput {
  name: string;
  file: string;
  environment: string;
  appId: string;
  versionTo: string;
  /** The repo DSL with this environment's dataset ids. */
  dsl: DifyDsl;
  /** Dataset aliases without an id for this environment. */
  unmapped: string[];
  published: WorkflowVersion | null;
  /** The app's detail: its live name, description and icon (absent: the app block is not compared). */
  app?: AppInfo;
  /** The published version exported by id, for its plugin dependencies (absent or null: not compared). */
  publishedYaml?: string | null;
  /** The latest release, its DSL mapped the same way; null when never released. */
  release: { tag: string; dsl: DifyDsl } | null;
  /** The live draft as exported YAML; null when the app has no draft. */
  draftYaml: string | null;
}

export function buildLivePlan(input: LivePlanInput): DefinitionPlan {
  const { published } = input;
  const repo = stateFromDsl(input.dsl);
  const live = liveState(input);
  const diff = compareStates(live, repo);
  // The deploy's own test (stages/deploy-definition.ts): verified marks for this content, and the
  // app block as the repo has it. Dependencies cannot be changed by an import, so they do not count.
  const contentLive = carriesVerifiedHash(published, dslContentHash(input.dsl)) && diffAppBlocks(live.app, repo.app).length === 0;
  const noop = contentLive && published?.marked_name === input.versionTo;
  const status: PlanStatus = !published
    ? 'create'
    : noop
      ? 'noop'
      : contentLive
        ? 'release'
        : isEmptyDiff({ ...diff, dependencies: { added: [], removed: [] } })
          ? 'republish'
          : 'update';
  const notes = input.unmapped.map(
    (alias) => `Dataset "${alias}" has no id for ${input.environment}: the deploy will stop until "datasets" maps it.`,
  );
  const { added, removed } = diff.dependencies;
  if (added.length + removed.length && contentLive) {
    notes.push(
      `The live app's plugin dependencies differ from the definition's (a plugin installed or upgraded in the workspace?): an import cannot change them; "pull ${input.name}" writes them into the definition.`,
    );
  }
  const plan: DefinitionPlan = {
    name: input.name,
    file: input.file,
    environment: input.environment,
    mode: 'live',
    status,
    appId: input.appId,
    versionFrom: published ? published.marked_name || null : null,
    versionTo: input.versionTo,
    noop,
    diff,
    graph: { before: shapeOf(live.workflow), after: shapeOf(repo.workflow) },
    notes,
  };
  if (published && input.release) {
    const released = stateFromDsl(input.release.dsl);
    if (!sameState(released, live)) {
      plan.drift = { tag: input.release.tag, diff: compareStates(released, live), adoptedByThisChange: sameState(live, repo) };
    }
  }
  // Only a deploy that imports can overwrite the draft.
  const draft = noop || status === 'release' ? undefined : findDraftEdits(input, live, repo);
  if (draft) plan.draft = draft;
  return plan;
}

/** The published version as the comparison sees it (nothing published: an empty workflow). */
function liveState(input: LivePlanInput): AppState {
  const exported = input.publishedYaml ? parsePyYaml(input.publishedYaml) : undefined;
  return stateFromLive({
    app: input.app,
    workflow: input.published ? partsFromPublished(input.published) : null,
    exportedDsl: exported,
  });
}

/** Unpublished edits in the draft, compared with what is published (or, if nothing is, released). */
function findDraftEdits(input: LivePlanInput, live: AppState, repo: AppState): DraftNote | undefined {
  if (!input.draftYaml) return undefined;
  const baseline = input.published
    ? { against: 'published' as const, againstName: input.published.marked_name || null, state: live }
    : input.release
      ? { against: 'release' as const, againstName: input.release.tag, state: stateFromDsl(input.release.dsl) }
      : undefined;
  // Never published nor released: the draft is whatever the app was created with, not someone's work.
  if (!baseline) return undefined;
  const draft = stateFromExport(input.app, input.draftYaml);
  if (sameState(baseline.state, draft)) return undefined;
  return {
    against: baseline.against,
    againstName: baseline.againstName,
    diff: compareStates(baseline.state, draft),
    adoptedByThisChange: sameState(draft, repo),
  };
}

export function buildOfflinePlan(input: { file: string; environment: string; base: Definition | null; head: Definition }): DefinitionPlan {
  const { base, head } = input;
  const after = stateFromDsl(head.dsl);
  const before = base ? stateFromDsl(base.dsl) : { ...after, app: {}, workflow: EMPTY_WORKFLOW, dependencies: [] };
  const diff = compareStates(before, after);
  const status: PlanStatus = !base ? 'create' : isEmptyDiff(diff) ? 'unchanged' : 'update';
  return {
    name: head.name,
    file: input.file,
    environment: input.environment,
    mode: 'offline',
    status,
    versionFrom: base?.version ?? null,
    versionTo: head.version,
    noop: null,
    diff,
    graph: { before: shapeOf(before.workflow), after: shapeOf(after.workflow) },
    notes: [],
  };
}

/** A definition that could not be planned: invalid, or Dify could not be read for it. */
export function buildFailedPlan(input: {
  name: string;
  file: string;
  environment: string;
  mode: DefinitionPlan['mode'];
  versionTo: string;
  status: 'invalid' | 'error';
  error: string;
}): DefinitionPlan {
  const { error, ...rest } = input;
  return { ...rest, versionFrom: null, noop: null, notes: [], error };
}
