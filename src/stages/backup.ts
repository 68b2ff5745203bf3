// Before any write: export what is live and keep it on disk, so every failure can be undone
// by hand even if Dify goes away mid-deploy. The file is meant to be uploaded as an artifact.
import { publishedWorkflowHash, workflowHash } from '../definition/workflow-hash.js';
import { parsePyYaml } from '../support/pyyaml.js';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DifyConsole, WorkflowVersion } from '../dify/types.js';
import { exportDraft } from '../dify/drafts.js';
import { UserError } from '../support/errors.js';

export interface Backup {
  /** Absolute path of the exported draft (YAML as Dify exported it; secrets blank). */
  file: string;
  /** sha256 of the exported text, logged so the artifact can be matched to the run. */
  sha256: string;
  yaml: string;
  /** What was published when we started (null: the app was never published). */
  published: WorkflowVersion | null;
}

export async function backupLiveApp(
  dify: DifyConsole,
  options: { appId: string; name: string; environment: string; dir: string; published: WorkflowVersion | null; now?: Date },
): Promise<Backup> {
  // A new app has no draft until someone opens it in the editor; then there is nothing to keep.
  const yaml = (await exportDraft(dify, options.appId)) ?? '';
  const sha256 = createHash('sha256').update(yaml).digest('hex');
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const file = path.resolve(options.dir, `${options.name}.${options.environment}.${stamp}.yml`);
  await mkdir(path.dirname(file), { recursive: true });
  // What was live is not the draft (the editor may hold unpublished work), so it is kept beside it:
  // a restore publishes that and puts the draft back into the draft.
  // Usually the draft is what was published (the last deploy imported and published it): then its
  // export is the published version's export too, and the second request is saved.
  const publishedYaml = !options.published
    ? null
    : sameContent(options.published, yaml)
      ? yaml
      : await tryExportVersion(dify, options.appId, options.published.id);
  const publishedFile = file.replace(/\.yml$/, '.published.yml');
  if (publishedYaml !== null) await writeFile(publishedFile, publishedYaml);
  const published = options.published
    ? `# published before deploy: ${options.published.id} (${options.published.marked_name || 'unnamed'})\n${
        publishedYaml !== null ? `# published version exported to: ${path.basename(publishedFile)}\n` : ''
      }`
    : '# published before deploy: none\n';
  await writeFile(
    file,
    `# dify-gitops backup of app ${options.appId} (${options.name}, ${options.environment}), draft exported before any write\n${published}${yaml}`,
  );
  return { file, sha256, yaml, published: options.published };
}

/** The published version holds the same workflow as the exported draft (secrets aside, as both are blank). */
function sameContent(published: WorkflowVersion, draftYaml: string): boolean {
  if (!draftYaml || published.graph === undefined) return false;
  try {
    return publishedWorkflowHash(published) === workflowHash(parsePyYaml(draftYaml) as Parameters<typeof workflowHash>[0]);
  } catch {
    return false;
  }
}

/** Best effort: without the export, a restore still finds the version by id in Dify's history. */
async function tryExportVersion(dify: DifyConsole, appId: string, workflowId: string): Promise<string | null> {
  try {
    return await dify.exportDsl(appId, { workflowId });
  } catch {
    return null;
  }
}

/** A backup file read back for `rollback --from-backup`: the exported YAML and what its header says. */
export interface BackupFile {
  file: string;
  /** The exported YAML as Dify gave it (the header comment lines removed). */
  yaml: string;
  /** sha256 of `yaml`: the same value the deploy logged when it wrote the file. */
  sha256: string;
  /** The app the backup was exported from, when the header names it. */
  appId?: string;
  /**
   * What was published when the backup was taken: its id and, in newer backups, its exported YAML.
   * null: nothing was published. undefined: an old backup that does not say (only the draft is known).
   */
  published?: { id: string; yaml?: string } | null;
}

export async function readBackupFile(file: string): Promise<BackupFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError('backup.unreadable', `Cannot read the backup ${file}: ${(error as Error).message}.`, {
      hint: 'Pass the path of a backup written by a deploy (the backups artifact, or backup-dir in the checkout).',
    });
  }
  // Only the leading comment lines are ours; Dify's YAML itself starts with a key.
  const header = /^(?:#[^\n]*(?:\n|$))*/.exec(text)![0];
  const yaml = text.slice(header.length);
  const appId = /^# dify-gitops backup of app (\S+)/m.exec(header)?.[1];
  const publishedId = /^# published before deploy: (\S+)/m.exec(header)?.[1];
  const exported = /^# published version exported to: (.+)$/m.exec(header)?.[1];
  let published: BackupFile['published'];
  if (publishedId === 'none') published = null;
  else if (publishedId) {
    const beside = exported ? path.join(path.dirname(file), path.basename(exported)) : undefined;
    published = { id: publishedId, yaml: beside ? await readFile(beside, 'utf8').catch(() => undefined) : undefined };
  }
  return { file, yaml, sha256: createHash('sha256').update(yaml).digest('hex'), appId, published };
}
