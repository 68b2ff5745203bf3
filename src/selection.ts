// Which definitions a command acts on: chosen by name (`all` for every one), or by what changed.
// A deploy takes those changed by the push, or every one with `all`; without a usable push range
// (first push, manual run), each definition is compared with its own latest release tag, so
// nothing released is redeployed and nothing unreleased is missed. A plan takes those the pull
// request changed.
import path from 'node:path';
import type { Git } from './git/git.js';
import type { Definition, LoadedFile } from './definition/types.js';
import { isDefinitionShaped, loadDefinitionFiles, readDefinition } from './definition/load.js';
import { sourceText } from './definition/dsl-file.js';
import { latestReleaseTag } from './release/tags.js';
import { ensureTags } from './release/latest.js';
import { UserError } from './support/errors.js';
import { nearest } from './support/nearest.js';

export interface Candidate {
  file: string;
  /** The DSL file it keeps its DSL in, if any: a change there is a change to the definition. */
  dslFile?: string;
  name: string;
  version: string;
  /** Its text and its DSL file's (sourceText), to compare with a release. */
  text: string;
}

export interface Selection<C extends Candidate = Candidate> {
  selected: Array<C & { reason: string }>;
  /** How the changes were found, for the log. */
  basis: string;
}

const ZERO_SHA = /^0+$/;

export async function selectChanged<C extends Candidate>(
  candidates: C[],
  options: { git: Git; all: boolean; base?: string; head: string; dir: string; log: (line: string) => void },
): Promise<Selection<C>> {
  const { git } = options;
  if (options.all) return { selected: candidates.map((c) => ({ ...c, reason: 'all: true' })), basis: 'every definition (all: true)' };
  if (options.base && !ZERO_SHA.test(options.base)) {
    const base = await git.resolve(options.base);
    if (base) return selectChangedBetween(git, candidates, filesOf, { base, head: options.head, dir: options.dir });
    options.log(
      `The push's base ${options.base.slice(0, 7)} is not in this clone; comparing each definition with its latest release tag instead.`,
    );
  }
  await ensureTags(git, options.log, 'definitions without a local tag count as new');
  const tags = await git.listTags('*@v*');
  const selected: Selection<C>['selected'] = [];
  for (const c of candidates) {
    const tag = latestReleaseTag(tags, c.name);
    if (!tag) selected.push({ ...c, reason: 'never released' });
    else if (await differsAt(git, tag, c)) selected.push({ ...c, reason: `differs from ${tag}` });
  }
  return { selected, basis: 'each definition against its latest release tag' };
}

/** A definition's files: itself, and the DSL file it keeps its DSL in. */
export function filesOf(c: { file: string; dslFile?: string }): string[] {
  return c.dslFile ? [c.file, c.dslFile] : [c.file];
}

async function differsAt(git: Git, tag: string, c: Candidate): Promise<boolean> {
  const released = await readDefinition((f) => git.show(tag, f), c.file);
  return released === null || sourceText(released) !== c.text;
}

/** The items one of whose files was added or modified between two resolved commits. */
export async function selectChangedBetween<T>(
  git: Git,
  items: T[],
  fileOf: (item: T) => string[],
  range: { base: string; head: string; dir: string },
): Promise<{ selected: Array<T & { reason: string }>; basis: string }> {
  const { base, head } = range;
  const changed = new Set(await git.changedFiles(base, head, range.dir));
  return {
    selected: items
      .filter((item) => fileOf(item).some((file) => changed.has(file)))
      .map((item) => ({ ...item, reason: `changed since ${base.slice(0, 7)}` })),
    basis: `changes between ${base.slice(0, 7)} and ${head.slice(0, 7)}`,
  };
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
  settings: { root: string; workflowsDir: string; only?: readonly string[] },
  requested: string[] | 'all',
): Promise<{ definitions: NamedDefinition[]; unreadable: UnreadableDefinition[] }> {
  const files = await loadDefinitionFiles(path.resolve(settings.root, settings.workflowsDir), settings.root);
  const known: NamedDefinition[] = [];
  const broken: UnreadableDefinition[] = [];
  for (const file of files) {
    if (isDefinitionShaped(file.value)) known.push({ file, definition: file.value });
    else broken.push(describeUnreadable(file));
  }
  const names = withinLimit(requested, settings.only, [...known.map((k) => k.definition.name), ...broken.map((b) => b.name)]);
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

/**
 * The names a command acts on once `workflows` limits it: all of them for 'all', and a name outside
 * the limit is refused rather than silently dropped. Unknown names in the limit are refused first.
 */
function withinLimit(requested: string[] | 'all', only: readonly string[] | undefined, known: string[]): string[] | 'all' {
  if (!only) return requested;
  checkKnownNames(only, known);
  if (requested === 'all') return [...only];
  const outside = requested.filter((n) => !only.includes(n));
  if (outside.length)
    throw new UserError(
      'usage',
      `${outside.map((n) => `"${n}"`).join(', ')} is not among the definitions "workflows" limits this run to (${only.join(', ')}).`,
    );
  return requested;
}

/** Refuse names no definition declares, with the nearest known name when there is one: a typo must not deploy nothing quietly. */
export function checkKnownNames(names: readonly string[], known: readonly string[]): void {
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length === 0) return;
  const guesses = unknown.map((n) => {
    const guess = nearest(n, known);
    return guess ? `"${n}" (did you mean "${guess}"?)` : `"${n}"`;
  });
  throw new UserError(
    'usage',
    `"workflows" names ${unknown.length === 1 ? 'a definition that does not exist' : 'definitions that do not exist'}: ${guesses.join(', ')}.`,
    {
      hint: `Known: ${[...known].sort().join(', ') || 'none'}. A definition's name is its "name" field (also its file name and tag prefix).`,
    },
  );
}

/** The name of each item, or its file name when it declares none: what `workflows` matches against. */
export function definitionNameOf(file: LoadedFile): string {
  const value = (file.value ?? {}) as Partial<Definition>;
  return typeof value.name === 'string' && value.name ? value.name : file.file.replace(/^.*\//, '').replace(/\.json$/, '');
}

function describeUnreadable(file: LoadedFile): UnreadableDefinition {
  const value = (file.value ?? {}) as Partial<Definition>;
  const name = definitionNameOf(file);
  const problem = file.diagnostics[0];
  const missing = (['name', 'app', 'dsl'] as const).filter((key) => !value[key] || (key === 'name' && typeof value.name !== 'string'));
  const why = problem
    ? `${file.file}:${problem.line}:${problem.column}: ${problem.message}`
    : `${file.file}: not a definition (no ${missing.map((k) => `"${k}"`).join(', ')})`;
  return { file: file.file, name, error: `${why}. Fix it (run "dify-gitops validate") so it can be compared with Dify.` };
}
