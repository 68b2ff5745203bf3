// The marks protocol: what dify-gitops writes into a published version's marked_name and
// marked_comment, and how it reads them back. The name carries the released version; the
// comment carries the content hash, and a leading ✓ once the version passed its smoke checks.
// Every write of marks is built here, so the limits and the format live in one place.
import path from 'node:path';
// Constants and a type only: the barrel (dify/index.js) would load the whole client into validate.
import { MARKED_COMMENT_MAX, MARKED_NAME_MAX } from '../dify/wire.js';
import type { WorkflowVersion } from '../dify/types.js';

/** The characters of the hash carried in a comment: enough to tell versions apart, short enough to fit. */
const HASH_CHARS = 16;

/** A comment that starts with this marks a version proven healthy. */
const VERIFIED = '✓ ';

export interface Marks {
  markedName: string;
  markedComment: string;
}

/** Dify counts characters (Python's len), so truncation counts code points, never splitting one. */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max).join('') : text;
}

/** The marks of a fresh publish: the version as name, and a comment that starts with the hash so truncation never cuts it. */
export function buildPublishMarks(subject: { name: string; version: string; hash: string }, commit: string): Marks {
  return {
    markedName: clip(subject.version, MARKED_NAME_MAX),
    markedComment: clip(
      `sha256:${subject.hash.slice(0, HASH_CHARS)} commit ${commit.slice(0, 12)} dify-gitops ${subject.name}@${subject.version}`,
      MARKED_COMMENT_MAX,
    ),
  };
}

/**
 * The marks of a live version re-released under a new version without an import (only the
 * definition's envelope changed): the publish marks of that version, verified, since its smoke
 * checks have just passed against it.
 */
export function buildReleaseMarks(subject: { name: string; version: string; hash: string }, commit: string): Marks {
  const marks = buildPublishMarks(subject, commit);
  return { markedName: marks.markedName, markedComment: clip(`${VERIFIED}${marks.markedComment}`, MARKED_COMMENT_MAX) };
}

/** The marks of a backup file published again by `rollback --from-backup`. */
export function buildBackupRestoreMarks(backup: { sha256: string; file: string }): Marks {
  return {
    markedName: 'restored',
    markedComment: clip(
      `dify-gitops restore of backup sha256 ${backup.sha256.slice(0, HASH_CHARS)} (${path.basename(backup.file)})`,
      MARKED_COMMENT_MAX,
    ),
  };
}

/**
 * The marks of a version published again after a failed deploy or secret redeploy. `keepComment`
 * keeps the old comment (and so its hash and ✓): the restored content is exactly that version's.
 */
export function buildRepublishMarks(before: WorkflowVersion, options: { keepComment?: boolean; why?: string } = {}): Marks {
  const comment = `dify-gitops restore of ${before.id}${options.why ? ` ${options.why}` : ''}`;
  return {
    markedName: before.marked_name || 'restored',
    markedComment: (options.keepComment && before.marked_comment) || clip(comment, MARKED_COMMENT_MAX),
  };
}

/**
 * The marks of a version this run published but whose content is another run's (a concurrent import
 * into the same draft): no release name and no `sha256:` hash, so nothing reads it as that release.
 */
export function buildMismatchMarks(subject: { name: string; version: string }, liveWorkflowHash: string): Marks {
  return {
    markedName: 'unreleased',
    markedComment: clip(
      `dify-gitops: publish of ${subject.name}@${subject.version} took another import (content ${liveWorkflowHash.slice(0, 12)})`,
      MARKED_COMMENT_MAX,
    ),
  };
}

/** The marks of a live version after its smoke checks passed, or null when it is already marked verified. */
export function buildVerifiedMarks(live: WorkflowVersion): Marks | null {
  if (live.marked_comment?.startsWith(VERIFIED)) return null;
  return { markedName: live.marked_name ?? '', markedComment: clip(`${VERIFIED}${live.marked_comment ?? ''}`, MARKED_COMMENT_MAX) };
}

/**
 * The content hash a published version carries, once that version was proven healthy. A version
 * published by a run that then failed its checks carries the hash without the ✓, so a re-run
 * deploys and checks it again instead of calling it "already live".
 */
export function verifiedHash(comment: string | undefined): string | undefined {
  return comment?.startsWith(VERIFIED) ? /sha256:([0-9a-f]{16})/.exec(comment)?.[1] : undefined;
}

/** Whether a published version is verified to hold exactly this content (a full content hash). */
export function carriesVerifiedHash(published: WorkflowVersion | null | undefined, hash: string): boolean {
  return published != null && verifiedHash(published.marked_comment) === hash.slice(0, HASH_CHARS);
}
