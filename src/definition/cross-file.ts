// Checks that need more than one file: duplicate names and app ids across definitions, and
// version bumps against the definition at the pull request's base ref.
import { isRecord, type Reporter } from './diagnostics.js';
import { escapePointerToken } from './json-locate.js';
import { parseDefinitionText } from './load.js';
import { contentHash } from './canonical.js';
import { bumpPatch, compareVersionText } from './versions.js';
import type { LoadedFile } from './types.js';

function withoutDslFile(value: Record<string, unknown>): Record<string, unknown> {
  const { dsl_file: _file, ...rest } = value;
  return rest;
}

interface Occurrence {
  reporter: Reporter;
  pointer: string;
}

export function checkDuplicates(reporters: Reporter[]): void {
  const names = new Map<string, Occurrence[]>();
  const appIds = new Map<string, Occurrence[]>();
  for (const reporter of reporters) {
    const value = reporter.file.value;
    if (!isRecord(value)) continue;
    if (typeof value.name === 'string') add(names, value.name, { reporter, pointer: '/name' });
    if (typeof value.app === 'string') add(appIds, value.app.toLowerCase(), { reporter, pointer: '/app' });
    else if (isRecord(value.app)) {
      for (const [environment, id] of Object.entries(value.app)) {
        if (typeof id === 'string') add(appIds, id.toLowerCase(), { reporter, pointer: `/app/${escapePointerToken(environment)}` });
      }
    }
  }
  for (const [name, list] of names) {
    reportAcrossFiles(list, (others) => `name "${name}" is also used by ${others}; every definition needs a unique name`);
  }
  for (const [id, list] of appIds) {
    reportAcrossFiles(
      list,
      (others) =>
        `app id ${id} is also the target of ${others}; two definitions would overwrite the same Dify app, so give each its own app`,
    );
  }
}

function add(map: Map<string, Occurrence[]>, key: string, occurrence: Occurrence): void {
  const list = map.get(key);
  if (list) list.push(occurrence);
  else map.set(key, [occurrence]);
}

function reportAcrossFiles(list: Occurrence[], message: (others: string) => string): void {
  const files = new Set(list.map((o) => o.reporter.file.file));
  if (files.size < 2) return; // repeats inside one file are not a cross-file conflict
  for (const occurrence of list) {
    const others = list
      .filter((o) => o.reporter !== occurrence.reporter)
      .map((o) => (o.pointer === '/name' || o.pointer === '/app' ? o.reporter.file.file : `${o.reporter.file.file} (${o.pointer})`));
    occurrence.reporter.error(occurrence.pointer, message([...new Set(others)].join(', ')));
  }
}

/** The definition at the base ref: its text (an inline DSL), or as read with its DSL file. */
export type BaseDefinition = string | LoadedFile | undefined;

/** A definition whose content changed since the base ref must carry a strictly higher version. */
export function checkVersionBumps(reporters: Reporter[], base: Map<string, BaseDefinition>): void {
  for (const reporter of reporters) {
    const baseFile = base.get(reporter.file.file);
    const value = reporter.file.value;
    if (baseFile === undefined || !isRecord(value) || typeof value.version !== 'string') continue;
    const before = (typeof baseFile === 'string' ? parseDefinitionText(reporter.file.file, baseFile) : baseFile).value;
    // An unreadable base cannot be compared; the file's own checks still apply.
    if (!isRecord(before) || typeof before.version !== 'string') continue;
    // Moving the DSL into its own file (or back) changes no content: the DSL is compared, not where it is kept.
    if (contentHash(withoutDslFile(before)) === contentHash(withoutDslFile(value))) continue;
    const order = compareVersionText(value.version, before.version);
    if (order === undefined || order > 0) continue;
    const suggestion = bumpPatch(before.version);
    reporter.error(
      '/version',
      order === 0
        ? `the definition changed since the base ref but its version is still "${value.version}"; bump it${suggestion ? ` (e.g. to "${suggestion}")` : ''}`
        : `version "${value.version}" is lower than "${before.version}" at the base ref; versions must only go up${suggestion ? ` (e.g. "${suggestion}")` : ''}`,
    );
  }
}
