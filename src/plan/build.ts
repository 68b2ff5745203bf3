// One definition's plan, built from data the command has already read: the repo's DSL, the live
// published workflow, the live draft and the last release (live plans), or the definition at the base ref
// (offline plans, for fork pull requests). Pure: no I/O, no clock.
import type { Definition, DifyDsl } from '../definition/types.js';
import type { WorkflowVersion } from '../dify/types.js';
import { dslContentHash } from '../definition/canonical.js';
import { carriesVerifiedHash } from '../release/marks.js';
import { diffValues, diffWorkflows, EMPTY_WORKFLOW, isEmptyDiff, type ValueChange, type WorkflowDiff } from './diff.js';
import { hashParts, partsFromDsl, partsFromExport, partsFromPublished, type WorkflowParts } from '../definition/workflow-parts.js';
import { shapeOf, type GraphChange } from './graph-shape.js';

/**
 * create: first published version (or, offline, a new definition); update: the workflow changes;
 * republish: same workflow content, but the live version is not marked as this definition's
 * (deploy would publish it again); noop: deploy would skip it; unchanged (offline): only the
 * envelope changed; invalid / error: no plan.
 */
export type PlanStatus = 'create' | 'update' | 'republish' | 'noop' | 'unchanged' | 'invalid' | 'error';

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
  diff?: WorkflowDiff;
  /** The graph before and after, for the report's picture of it. */
  graph?: GraphChange;
  /** Offline only: changes to the DSL's app block (name, description, icon). */
  app?: ValueChange[];
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
  /** The latest release, its DSL mapped the same way; null when never released. */
  release: { tag: string; dsl: DifyDsl } | null;
  /** The live draft as exported YAML; null when the app has no draft. */
  draftYaml: string | null;
}

export function buildLivePlan(input: LivePlanInput): DefinitionPlan {
  const { published } = input;
  const repo = partsFromDsl(input.dsl);
  const live = published ? partsFromPublished(published) : EMPTY_WORKFLOW;
  const diff = diffWorkflows(live, repo);
  const noop = carriesVerifiedHash(published, dslContentHash(input.dsl));
  const status: PlanStatus = !published ? 'create' : noop ? 'noop' : isEmptyDiff(diff) ? 'republish' : 'update';
  const notes = input.unmapped.map(
    (alias) => `Dataset "${alias}" has no id for ${input.environment}: the deploy will stop until "datasets" maps it.`,
  );
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
    graph: { before: shapeOf(live), after: shapeOf(repo) },
    notes,
  };
  if (published && input.release) {
    const released = partsFromDsl(input.release.dsl);
    if (hashParts(released) !== hashParts(live)) {
      plan.drift = {
        tag: input.release.tag,
        diff: diffWorkflows(released, live),
        adoptedByThisChange: hashParts(live) === hashParts(repo),
      };
    }
  }
  // A no-op deploy skips the import, so only a deploy that imports can overwrite the draft.
  const draft = status === 'noop' ? undefined : findDraftEdits(input, live, repo);
  if (draft) plan.draft = draft;
  return plan;
}

/** Unpublished edits in the draft, compared with what is published (or, if nothing is, released). */
function findDraftEdits(input: LivePlanInput, live: WorkflowParts, repo: WorkflowParts): DraftNote | undefined {
  if (!input.draftYaml) return undefined;
  const baseline = input.published
    ? { against: 'published' as const, againstName: input.published.marked_name || null, parts: live }
    : input.release
      ? { against: 'release' as const, againstName: input.release.tag, parts: partsFromDsl(input.release.dsl) }
      : undefined;
  // Never published nor released: the draft is whatever the app was created with, not someone's work.
  if (!baseline) return undefined;
  const draft = partsFromExport(input.draftYaml);
  if (hashParts(draft) === hashParts(baseline.parts)) return undefined;
  return {
    against: baseline.against,
    againstName: baseline.againstName,
    diff: diffWorkflows(baseline.parts, draft),
    adoptedByThisChange: hashParts(draft) === hashParts(repo),
  };
}

export function buildOfflinePlan(input: { file: string; environment: string; base: Definition | null; head: Definition }): DefinitionPlan {
  const { base, head } = input;
  const [before, after] = [base ? partsFromDsl(base.dsl) : EMPTY_WORKFLOW, partsFromDsl(head.dsl)];
  const diff = diffWorkflows(before, after);
  const app = base ? diffValues(base.dsl.app, head.dsl.app, '') : [];
  const status: PlanStatus = !base ? 'create' : isEmptyDiff(diff) && app.length === 0 ? 'unchanged' : 'update';
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
    graph: { before: shapeOf(before), after: shapeOf(after) },
    app,
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
