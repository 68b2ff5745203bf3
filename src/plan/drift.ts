// Drift: does what is live (the published version, and the draft people edit in Dify's UI) still
// match the definition's last release? Pure: the command reads Dify and git, this compares.
import type { DifyDsl } from '../definition/types.js';
import type { AppInfo, WorkflowVersion } from '../dify/types.js';
import { isEmptyDiff, type WorkflowDiff } from './diff.js';
import { partsFromPublished } from '../definition/workflow-parts.js';
import { type AppState, compareStates, sameState, stateFromDsl, stateFromExport, stateFromLive, withoutWorkflow } from './app-state.js';
import { parsePyYaml } from '../support/pyyaml.js';

export interface LiveSideDrift {
  drifted: boolean;
  /** Release → live; present when drifted. */
  diff?: WorkflowDiff;
}

export type DriftStatus = 'in-sync' | 'drifted' | 'unreleased' | 'error';

export interface DriftResult {
  name: string;
  file: string;
  environment: string;
  appId?: string;
  /** The release compared with; null when never released. */
  tag: string | null;
  status: DriftStatus;
  /** Null when the app has no published version (itself drift, once released). */
  published: (LiveSideDrift & { versionName: string | null; matchesRelease?: string }) | null;
  /** Null when the app has no draft. */
  draft: (LiveSideDrift & { sameAsPublished: boolean }) | null;
  error?: string;
}

export interface DriftInput {
  name: string;
  file: string;
  environment: string;
  appId: string;
  release: { tag: string; dsl: DifyDsl } | null;
  published: WorkflowVersion | null;
  /** Exported YAML of the draft, or null when there is none. */
  draftYaml: string | null;
  /** The app's detail: its live name, description and icon (absent: the app block is not compared). */
  app?: AppInfo;
  /** The published version exported by id, for its plugin dependencies (absent or null: not compared). */
  publishedYaml?: string | null;
}

export function buildDriftResult(input: DriftInput): DriftResult {
  const base = { name: input.name, file: input.file, environment: input.environment, appId: input.appId, tag: input.release?.tag ?? null };
  const live = input.published
    ? stateFromLive({
        app: input.app,
        workflow: partsFromPublished(input.published),
        exportedDsl: input.publishedYaml ? parsePyYaml(input.publishedYaml) : undefined,
      })
    : null;
  const draft = input.draftYaml ? stateFromExport(input.app, input.draftYaml) : null;
  if (!input.release) {
    return {
      ...base,
      status: 'unreleased',
      published: input.published ? { drifted: false, versionName: input.published.marked_name || null } : null,
      draft: draft ? { drifted: false, sameAsPublished: false } : null,
    };
  }
  const released = stateFromDsl(input.release.dsl);
  const published = live ? { ...compare(released, live), versionName: input.published!.marked_name || null } : null;
  const draftSide = draft ? { ...compare(released, draft), sameAsPublished: live !== null && sameState(live, draft) } : null;
  // A released workflow with nothing published was unpublished by hand: that is drift too.
  const drifted = !published || published.drifted || (draftSide?.drifted ?? false);
  return { ...base, status: drifted ? 'drifted' : 'in-sync', published, draft: draftSide };
}

/** Release → live, every family (app block, workflow, dependencies): the comparison plan and pull use too. */
function compare(released: AppState, live: AppState): LiveSideDrift {
  if (sameState(released, live)) return { drifted: false };
  return { drifted: true, diff: compareStates(released, live) };
}

/**
 * The published workflow is an older release dify-gitops put back (a rollback): its workflow is no
 * drift, but an edited app block or changed dependencies still are. The draft, when it holds what is
 * published, is judged the same way.
 */
export function acceptRollback(result: DriftResult, matchesRelease: string): DriftResult {
  const judge = (side: LiveSideDrift): LiveSideDrift => {
    const rest = side.diff && withoutWorkflow(side.diff);
    return rest && !isEmptyDiff(rest) ? { drifted: true, diff: rest } : { drifted: false };
  };
  const published = { ...judge(result.published!), versionName: result.published!.versionName, matchesRelease };
  const draft = result.draft?.sameAsPublished ? { ...judge(result.draft), sameAsPublished: true } : result.draft;
  const drifted = published.drifted || (draft?.drifted ?? false);
  return { ...result, published, draft, status: drifted ? 'drifted' : 'in-sync' };
}

export function buildDriftError(input: { name: string; file: string; environment: string; error: string }): DriftResult {
  return { ...input, tag: null, status: 'error', published: null, draft: null };
}
