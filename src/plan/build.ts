// One definition's plan, built from data the command has already read: the repo's DSL, the live
// published workflow and the last release (live plans), or the definition at the base ref
// (offline plans, for fork pull requests). Pure: no I/O, no clock.
import type { Definition, DifyDsl } from '../definition/types.js';
import type { WorkflowVersion } from '../dify/types.js';
import { dslContentHash } from '../definition/canonical.js';
import { hashFromMarks } from '../stages/import-publish.js';
import { diffValues, diffWorkflows, EMPTY_WORKFLOW, isEmptyDiff, type ValueChange, type WorkflowDiff } from './diff.js';
import { hashParts, partsFromDsl, partsFromPublished } from '../definition/workflow-parts.js';

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
  /** Offline only: changes to the DSL's app block (name, description, icon). */
  app?: ValueChange[];
  drift?: DriftNote;
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
}

export function buildLivePlan(input: LivePlanInput): DefinitionPlan {
  const { published } = input;
  const repo = partsFromDsl(input.dsl);
  const live = published ? partsFromPublished(published) : EMPTY_WORKFLOW;
  const diff = diffWorkflows(live, repo);
  const noop = published !== null && hashFromMarks(published.marked_comment) === dslContentHash(input.dsl).slice(0, 16);
  const status: PlanStatus = !published ? 'create' : noop ? 'noop' : isEmptyDiff(diff) ? 'republish' : 'update';
  const notes = input.unmapped.map((alias) => `Dataset "${alias}" has no id for ${input.environment}: the deploy will stop until "datasets" maps it.`);
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
    notes,
  };
  if (published && input.release) {
    const released = partsFromDsl(input.release.dsl);
    if (hashParts(released) !== hashParts(live)) {
      plan.drift = { tag: input.release.tag, diff: diffWorkflows(released, live), adoptedByThisChange: hashParts(live) === hashParts(repo) };
    }
  }
  return plan;
}

export function buildOfflinePlan(input: { file: string; environment: string; base: Definition | null; head: Definition }): DefinitionPlan {
  const { base, head } = input;
  const diff = diffWorkflows(base ? partsFromDsl(base.dsl) : EMPTY_WORKFLOW, partsFromDsl(head.dsl));
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
    app,
    notes: [],
  };
}

/** A definition that could not be planned: invalid, or Dify could not be read for it. */
export function buildFailedPlan(input: { name: string; file: string; environment: string; mode: DefinitionPlan['mode']; versionTo: string; status: 'invalid' | 'error'; error: string }): DefinitionPlan {
  const { error, ...rest } = input;
  return { ...rest, versionFrom: null, noop: null, notes: [], error };
}
