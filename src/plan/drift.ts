// Drift: does what is live (the published version, and the draft people edit in Dify's UI) still
// match the definition's last release? Pure: the command reads Dify and git, this compares.
import type { DifyDsl } from '../definition/types.js';
import type { WorkflowVersion } from '../dify/types.js';
import { diffWorkflows, type WorkflowDiff } from './diff.js';
import { hashParts, partsFromDsl, partsFromExport, partsFromPublished } from '../definition/workflow-parts.js';

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
}

export function buildDriftResult(input: DriftInput): DriftResult {
  const base = { name: input.name, file: input.file, environment: input.environment, appId: input.appId, tag: input.release?.tag ?? null };
  const live = input.published ? partsFromPublished(input.published) : null;
  const draft = input.draftYaml ? partsFromExport(input.draftYaml) : null;
  if (!input.release) {
    return {
      ...base,
      status: 'unreleased',
      published: input.published ? { drifted: false, versionName: input.published.marked_name || null } : null,
      draft: draft ? { drifted: false, sameAsPublished: false } : null,
    };
  }
  const released = partsFromDsl(input.release.dsl);
  const releasedHash = hashParts(released);
  const published = live ? { ...compare(released, releasedHash, live), versionName: input.published!.marked_name || null } : null;
  const draftSide = draft
    ? { ...compare(released, releasedHash, draft), sameAsPublished: live !== null && hashParts(live) === hashParts(draft) }
    : null;
  // A released workflow with nothing published was unpublished by hand: that is drift too.
  const drifted = !published || published.drifted || (draftSide?.drifted ?? false);
  return { ...base, status: drifted ? 'drifted' : 'in-sync', published, draft: draftSide };
}

function compare(released: ReturnType<typeof partsFromDsl>, releasedHash: string, live: ReturnType<typeof partsFromDsl>): LiveSideDrift {
  if (hashParts(live) === releasedHash) return { drifted: false };
  return { drifted: true, diff: diffWorkflows(released, live) };
}

export function buildDriftError(input: { name: string; file: string; environment: string; error: string }): DriftResult {
  return { ...input, tag: null, status: 'error', published: null, draft: null };
}
