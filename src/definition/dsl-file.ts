// The YAML form of a definition: the JSON keeps name, version, apps, secrets and smoke checks,
// and names (`dsl_file`) a file beside it holding the DSL byte for byte as Dify exports it, so a
// prompt reads as lines in the files tab. Once read, the DSL sits under `dsl` as if written
// inline, so every check, hash and plan sees one shape whichever form the repository uses.
import type { DslFile, LoadedFile, Place } from './types.js';
import { isRecord } from './diagnostics.js';
import { parseYamlWithLocations } from './yaml-locate.js';

/** A file name in the definition's own folder: a sibling, never a path that could leave the repository. */
export const DSL_FILE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*\\.ya?ml$';
const DSL_FILE_RE = new RegExp(DSL_FILE_PATTERN);

/** What reading a DSL file gave: its text, or why there is none. */
export type DslRead = { text: string } | { problem: string };

/** The repo path of the DSL file a parsed definition names, when it names a well-formed one. */
export function dslFilePath(loaded: Pick<LoadedFile, 'file' | 'value'>): string | undefined {
  const ref = isRecord(loaded.value) ? loaded.value.dsl_file : undefined;
  if (typeof ref !== 'string' || !DSL_FILE_RE.test(ref)) return undefined; // the schema check says why
  return siblingOf(loaded.file, ref);
}

/** `name` in the folder of `file` (both repo-relative, forward slashes). */
export function siblingOf(file: string, name: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? name : `${file.slice(0, slash + 1)}${name}`;
}

/**
 * The definition with the DSL read from its file: the DSL under `dsl`, and pointers under /dsl
 * located in the YAML. A DSL file that cannot be read or parsed is a diagnostic, never a throw.
 */
export function withDslFile(loaded: LoadedFile, read: DslRead): LoadedFile {
  const file = dslFilePath(loaded);
  if (!file || !isRecord(loaded.value)) return loaded;
  const at = loaded.locate('/dsl_file');
  const fail = (message: string, place: Place = at): LoadedFile => ({
    ...loaded,
    diagnostics: [
      ...loaded.diagnostics,
      {
        file: place.file ?? loaded.file,
        path: place.path ?? '/dsl_file',
        line: place.line,
        column: place.column,
        severity: 'error',
        message,
      },
    ],
  });
  if ('dsl' in loaded.value) {
    return fail('the definition has both "dsl" and "dsl_file"; keep one: the DSL inline, or in the file "dsl_file" names');
  }
  if ('problem' in read) return fail(read.problem);
  const parsed = parseYamlWithLocations(read.text);
  if (!parsed.ok) {
    const { message, line, column } = parsed.error;
    return fail(`invalid YAML: ${message}; fix the file or export the app again from Dify`, { file, path: '', line, column });
  }
  const dslFile: DslFile = { file, text: read.text };
  const inDsl = (pointer: string) => pointer === '/dsl' || pointer.startsWith('/dsl/');
  const inYaml = (pointer: string, find: (p: string) => { line: number; column: number }): Place => {
    const path = pointer.slice('/dsl'.length);
    return { ...find(path), file, path };
  };
  return {
    ...loaded,
    value: { ...loaded.value, dsl: parsed.value },
    dslFile,
    locate: (pointer) => (inDsl(pointer) ? inYaml(pointer, parsed.locate) : loaded.locate(pointer)),
    locateKey: (pointer) => (inDsl(pointer) ? inYaml(pointer, parsed.locateKey) : (loaded.locateKey ?? loaded.locate)(pointer)),
  };
}

/** The definition as its file holds it: without the DSL read from its DSL file (what fmt and the canonical check see). */
export function ownValue(loaded: Pick<LoadedFile, 'value' | 'dslFile'>): unknown {
  if (!loaded.dslFile || !isRecord(loaded.value)) return loaded.value;
  const { dsl: _read, ...own } = loaded.value;
  return own;
}

/** Everything a release of the definition holds (its text, and its DSL file's), for "is this the same content?". */
export function sourceText(loaded: Pick<LoadedFile, 'text' | 'dslFile'>): string {
  return loaded.dslFile ? `${loaded.text}\u0000${loaded.dslFile.file}\u0000${loaded.dslFile.text}` : loaded.text;
}
