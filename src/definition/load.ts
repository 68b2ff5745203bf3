// Reads definition files (and the DSL file a definition names) and parses them with locations.
// Malformed files become diagnostics, never exceptions, so one bad file does not stop the others
// from being checked.
import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Definition, Diagnostic, LoadedFile } from './types.js';
import { DEFAULT_LIMITS, parseJsonWithLocations, type Position } from './json-locate.js';
import { UserError } from '../support/errors.js';
import { cliCommand } from '../version.js';
import { type DslRead, dslFilePath, withDslFile } from './dsl-file.js';

export const MAX_FILE_BYTES = DEFAULT_LIMITS.maxLength;

/** Loads every `*.json` directly in `dir`, sorted by name; `file` is relative to `root`, with forward slashes. */
export async function loadDefinitionFiles(dir: string, root: string = process.cwd()): Promise<LoadedFile[]> {
  await checkInsideRoot(dir, root);
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      'definition.unreadable',
      code === 'ENOENT'
        ? `definitions directory ${dir} does not exist; create it or point the action at the right folder`
        : `cannot read definitions directory ${dir} (${code ?? 'unknown error'})`,
    );
  }
  // A definition's extra eval cases: <name>.evals.jsonl beside it, a regular file (links refused as above).
  const jsonl = new Set(entries.filter((entry) => entry.isFile() && entry.name.endsWith(EVALS_SUFFIX)).map((entry) => entry.name));
  const json = entries.filter((entry) => entry.name.endsWith('.json')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Promise.all(
    json
      .filter((entry) => entry.isFile() || entry.isSymbolicLink())
      .map((entry) => {
        if (entry.isSymbolicLink()) return refuseLink(path.join(dir, entry.name), root);
        const evals = entry.name.replace(/\.json$/, EVALS_SUFFIX);
        return loadOne(path.join(dir, entry.name), root, jsonl.has(evals) ? path.join(dir, evals) : undefined);
      }),
  );
}

export const EVALS_SUFFIX = '.evals.jsonl';

/**
 * What is deployed must be what the repository holds: a folder (or a link on the way to it)
 * outside the checkout would deploy files no pull request reviewed.
 */
async function checkInsideRoot(dir: string, root: string): Promise<void> {
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(dir), realpath(root)]);
  } catch {
    return; // a missing folder gets readdir's message
  }
  const inside = path.relative(realRoot, real);
  if (inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside))) return;
  const via = real === path.resolve(dir) ? '' : ` (it resolves to ${real})`;
  throw new UserError('definition.unreadable', `definitions directory ${dir} is outside the repository ${root}${via}`, {
    hint: 'Set workflows-dir (--dir) to a folder inside the repository, relative to its root (e.g. "workflows"); definitions are deployed only from the checkout, where pull requests review them.',
  });
}

/** A linked definition would be deployed from wherever the link points: refused, never skipped. */
async function refuseLink(absolute: string, root: string): Promise<LoadedFile> {
  const file = toRepoPath(absolute, root);
  const target = await readlink(absolute).catch(() => '?');
  return createFailedFile(
    file,
    '',
    `${file} is a symbolic link (to ${target}); definitions must be regular files in the repository: replace the link with a copy of the file (cp --remove-destination "$(realpath ${file})" ${file}) or move the file here`,
    { line: 1, column: 1 },
  );
}

function toRepoPath(absolute: string, root: string): string {
  return path.relative(root, path.resolve(absolute)).split(path.sep).join('/');
}

async function loadOne(absolute: string, root: string, evalsAbsolute?: string): Promise<LoadedFile> {
  const loaded = await loadText(absolute, root);
  if (!evalsAbsolute) return loaded;
  const evals = await loadText(evalsAbsolute, root);
  if (evals.diagnostics.length > 0) loaded.diagnostics.push(...evals.diagnostics);
  else loaded.evalsFile = { file: evals.file, text: evals.text };
  return loaded;
}

async function loadText(absolute: string, root: string, parse = absolute.endsWith('.json')): Promise<LoadedFile> {
  const file = toRepoPath(absolute, root);
  try {
    const info = await stat(absolute);
    if (info.size > MAX_FILE_BYTES) {
      const mb = (info.size / (1024 * 1024)).toFixed(1);
      return createFailedFile(file, '', `file is ${mb} MB, over the 5 MB limit; definitions must be smaller`, { line: 1, column: 1 });
    }
    const text = await readFile(absolute, 'utf8');
    if (!parse) return { file, text, locate: () => ({ line: 1, column: 1 }), diagnostics: [] };
    const loaded = parseDefinitionText(file, text);
    const dslPath = dslFilePath(loaded);
    return dslPath ? withDslFile(loaded, await readDslFromDisk(path.resolve(root, dslPath), root)) : loaded;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return createFailedFile(file, '', `cannot read file (${code}); check that it exists and is readable`, { line: 1, column: 1 });
  }
}

/**
 * Whether a parsed value has what every command reads (a string name, an app and a DSL). Not
 * validation: commands that act on one named definition (pull, drift, rollback, rotate-keys) and
 * released snapshots take definitions this shaped, while deploy and plan take ValidDefinition.
 */
export function isDefinitionShaped(value: unknown): value is Definition {
  const v = value as Partial<Definition> | null | undefined;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && Boolean(v.dsl) && Boolean(v.app);
}

/** Parses one definition's text. Never throws. */
export function parseDefinitionText(file: string, text: string): LoadedFile {
  const parsed = parseJsonWithLocations(text);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return createFailedFile(file, text, `invalid JSON: ${message}`, { line, column });
  }
  const { valueOffsets, keyOffsets, position } = parsed;
  const locate = (pointer: string): Position => {
    let current = pointer;
    for (;;) {
      const offset = valueOffsets.get(current);
      if (offset !== undefined) return position(offset);
      if (current === '') return { line: 1, column: 1 };
      current = current.slice(0, current.lastIndexOf('/'));
    }
  };
  const locateKey = (pointer: string): Position => {
    const offset = keyOffsets.get(pointer);
    return offset === undefined ? locate(pointer) : position(offset);
  };
  return { file, text, value: parsed.value, locate, locateKey, diagnostics: [] };
}

/** The DSL file as the repository holds it: a regular file (a link would deploy what no one reviewed), 5 MB at most. */
async function readDslFromDisk(absolute: string, root: string): Promise<DslRead> {
  const file = toRepoPath(absolute, root);
  try {
    const info = await lstat(absolute);
    if (info.isSymbolicLink()) {
      const target = await readlink(absolute).catch(() => '?');
      return {
        problem: `${file} is a symbolic link (to ${target}); the DSL file must be a regular file in the repository: replace the link with a copy of the file`,
      };
    }
    if (info.size > MAX_FILE_BYTES) return { problem: `${file} is ${(info.size / (1024 * 1024)).toFixed(1)} MB, over the 5 MB limit` };
    return { text: await readFile(absolute, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return {
      problem:
        code === 'ENOENT'
          ? `${file} does not exist; add the DSL there (as Dify exports it) or fix "dsl_file"`
          : `cannot read ${file} (${code}); check that it is readable`,
    };
  }
}

function createFailedFile(file: string, text: string, message: string, at: Position): LoadedFile {
  const diagnostic: Diagnostic = { file, path: '', line: at.line, column: at.column, severity: 'error', message };
  return { file, text, locate: () => ({ line: 1, column: 1 }), diagnostics: [diagnostic] };
}

/**
 * A definition and the DSL file it names, as `read` gives them (git at a ref: the base of a pull
 * request, a release tag); null when the definition does not exist there. Never throws on content.
 */
export async function readDefinition(read: (file: string) => Promise<string | null>, file: string): Promise<LoadedFile | null> {
  const text = await read(file);
  if (text === null) return null;
  const loaded = parseDefinitionText(file, text);
  const dslPath = dslFilePath(loaded);
  if (!dslPath) return loaded;
  const dslText = await read(dslPath);
  return withDslFile(loaded, dslText === null ? { problem: `${dslPath} does not exist there` } : { text: dslText });
}

/**
 * A YAML file in the definitions folder that no definition names as its DSL file is deployed by
 * nothing: most likely an export dropped there to be adopted. Said, so it is not silently ignored.
 */
export async function findStrayDslFiles(dir: string, root: string, files: LoadedFile[]): Promise<Diagnostic[]> {
  const named = new Set(files.map((file) => dslFilePath(file)).filter(Boolean));
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => /\.ya?ml$/i.test(entry.name) && !entry.isDirectory())
    .map((entry) => toRepoPath(path.join(dir, entry.name), root))
    .filter((file) => !named.has(file))
    .sort()
    .map((file) => ({
      file,
      path: '',
      line: 1,
      column: 1,
      severity: 'warning' as const,
      message: `no definition names this file as its "dsl_file", so nothing deploys it; to put the app under git, run "${cliCommand(`adopt ${file} --name <name> --app <app-id> --form yaml`)}" (then delete this copy), or name it in a definition's "dsl_file"`,
    }));
}
