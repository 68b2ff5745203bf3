// Reads shared by plan, drift and pull: the last release of a definition (from git), the live
// draft (from Dify), and the definitions chosen by name. Nothing here writes.
import path from 'node:path';
import type { Git } from '../git/git.js';
import type { DifyConsole } from '../dify/types.js';
import type { ReportSink } from '../report/sink.js';
import type { Definition, DifyDsl, LoadedFile } from '../definition/types.js';
import { findSnapshot } from '../stages/snapshots.js';
import { isMissingDraft } from '../dify/index.js';
import { mapDatasetAliases } from '../definition/workflow-parts.js';
import { loadDefinitionFiles } from '../definition/load.js';
import { isUserError, UserError } from '../support/errors.js';
import type { Settings } from '../settings.js';

export interface Release {
  tag: string;
  definition: Definition;
  /** The released DSL as it was imported into this environment (dataset ids mapped). */
  dsl: DifyDsl;
}

/** The latest `<name>@v*` release, or null when the definition was never released. */
export async function readLatestRelease(git: Git, name: string, file: string, environment: string): Promise<Release | null> {
  try {
    const snapshot = await findSnapshot(git, name, file, 'latest');
    return { tag: snapshot.tag, definition: snapshot.definition, dsl: mapDatasetAliases(snapshot.definition, environment).dsl };
  } catch (error) {
    if (isUserError(error, 'snapshot.never-released')) return null;
    throw error;
  }
}

/** actions/checkout fetches no tags by default; without them every definition looks unreleased. */
export async function ensureTags(git: Git, sink: ReportSink): Promise<void> {
  if (await git.hasAnyTags()) return;
  try {
    await git.fetchTags();
  } catch (error) {
    sink.warn(`Could not fetch tags (${(error as Error).message}); releases are read from local tags only.`);
  }
}

/** The live draft as exported YAML, or null when the app has no draft (never opened in the editor). */
export async function exportDraft(dify: DifyConsole, appId: string): Promise<string | null> {
  try {
    return await dify.exportDsl(appId);
  } catch (error) {
    if (isMissingDraft(error)) return null;
    throw error;
  }
}

export interface NamedDefinition {
  file: LoadedFile;
  definition: Definition;
}

/** A definition file that cannot be read as one (bad JSON, no name, app or dsl): reported, never skipped. */
export interface UnreadableDefinition {
  file: string;
  /** The name it declares, or its file name without `.json`. */
  name: string;
  error: string;
}

/**
 * Every definition in the folder, or those named (`all` for every one), and the files that could
 * not be read as definitions: a broken file must fail the run, not vanish from it.
 */
export async function loadNamedDefinitions(
  settings: Settings,
  names: string[] | 'all',
): Promise<{ definitions: NamedDefinition[]; unreadable: UnreadableDefinition[] }> {
  const files = await loadDefinitionFiles(path.resolve(settings.root, settings.workflowsDir), settings.root);
  const known: NamedDefinition[] = [];
  const broken: UnreadableDefinition[] = [];
  for (const file of files) {
    const value = file.value as Partial<Definition> | undefined;
    if (value && typeof value.name === 'string' && value.dsl && value.app) known.push({ file, definition: value as Definition });
    else broken.push(describeUnreadable(file));
  }
  if (names === 'all') return { definitions: known, unreadable: broken };
  const unreadable = broken.filter((b) => names.includes(b.name));
  const missing = names.filter((n) => !known.some((k) => k.definition.name === n) && !unreadable.some((u) => u.name === n));
  if (missing.length) {
    throw new UserError(
      'usage',
      `No definition named ${missing.map((n) => `"${n}"`).join(', ')} in ${settings.workflowsDir}/. Known: ${known.map((k) => k.definition.name).join(', ') || 'none'}.`,
    );
  }
  return { definitions: known.filter((k) => names.includes(k.definition.name)), unreadable };
}

function describeUnreadable(file: LoadedFile): UnreadableDefinition {
  const value = (file.value ?? {}) as Partial<Definition>;
  const name = typeof value.name === 'string' && value.name ? value.name : file.file.replace(/^.*\//, '').replace(/\.json$/, '');
  const problem = file.diagnostics[0];
  const missing = (['name', 'app', 'dsl'] as const).filter((key) => !value[key] || (key === 'name' && typeof value.name !== 'string'));
  const why = problem
    ? `${file.file}:${problem.line}:${problem.column}: ${problem.message}`
    : `${file.file}: not a definition (no ${missing.map((k) => `"${k}"`).join(', ')})`;
  return { file: file.file, name, error: `${why}. Fix it (run "dify-gitops validate") so it can be compared with Dify.` };
}
