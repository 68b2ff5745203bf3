// validate: every definition checked offline (schema, graph, references, secrets, version bump).
import path from 'node:path';
import type { CommonSettings } from '../settings.js';
import { UserError } from '../support/errors.js';
import type { Git } from '../git/git.js';
import type { ReportSink } from '../report/sink.js';
import type { LoadedFile, ValidationReport, ValidDefinition } from '../definition/types.js';
import { findStrayDslFiles, loadDefinitionFiles, readDefinition } from '../definition/load.js';
import { validateDefinitions } from '../definition/validate.js';
import { renderValidationSummary } from '../report/validation-summary.js';
import { Outputs } from '../inputs.js';
import { checkKnownNames, definitionNameOf } from '../selection.js';

export interface ValidateResult {
  report: ValidationReport;
  exitCode: number;
  /** The `changed` output: names whose file differs from the base ref (every one without it). */
  changed: string[];
}

/** Load, validate and report; the caller decides nothing but the exit code. */
export async function runValidate(settings: CommonSettings, deps: { git: Git; sink: ReportSink }): Promise<ValidateResult> {
  const { report, changed } = await validateWorkflowsDir(settings, deps.git);
  reportValidation(report, deps.sink);
  deps.sink.output(Outputs.changed, JSON.stringify(changed));
  if (settings.surface === 'action') await deps.sink.summary(renderValidationSummary(report, settings.baseRef));
  return { report, exitCode: report.ok ? 0 : 1, changed };
}

/** The validation every command starts with: load the folder, read each file at the base ref, check. */
export interface ValidFile {
  file: LoadedFile;
  definition: ValidDefinition;
}

export async function validateWorkflowsDir(
  settings: CommonSettings,
  git: Git,
): Promise<{
  report: ValidationReport;
  files: LoadedFile[];
  valid: ValidFile[];
  /** Names of the definitions whose file differs from the base ref (every one without a base ref). */
  changed: string[];
}> {
  const dir = path.resolve(settings.root, settings.workflowsDir);
  const files = await loadDefinitionFiles(dir, settings.root);
  const base = settings.baseRef
    ? await readAtBase(
        git,
        settings.baseRef,
        files.map((f) => f.file),
      )
    : undefined;
  const all = validateDefinitions(files, { base });
  // `workflows` limits the run after the whole folder is checked: duplicate names and app ids are
  // found across every file, but only the definitions named are reported, planned or deployed.
  const kept = limitedIndexes(files, settings.only);
  const report = {
    ok: kept.every((i) => all.files[i].ok),
    files: kept.map((i) => all.files[i]),
    warnings: await findStrayDslFiles(dir, settings.root, files),
  };
  // The report lists the files in their order; those that passed carry their definition, typed as valid.
  const valid = kept.flatMap((i) => {
    const definition = all.files[i].definition;
    return definition ? [{ file: files[i], definition }] : [];
  });
  const changed = kept.filter((i) => !base || differs(base.get(files[i].file), files[i])).map((i) => definitionNameOf(files[i]));
  return { report, files: kept.map((i) => files[i]), valid, changed };
}

/** A definition differs from the base when its file or its .dify.yml does. */
function differs(before: LoadedFile | undefined, now: LoadedFile): boolean {
  return !before || before.text !== now.text || before.dslFile?.text !== now.dslFile?.text;
}

/** The positions of the files `workflows` names (every file without it); an unknown name is refused. */
function limitedIndexes(files: LoadedFile[], only: readonly string[] | undefined): number[] {
  const names = files.map(definitionNameOf);
  if (!only) return names.map((_, i) => i);
  checkKnownNames(only, names);
  return names.flatMap((name, i) => (only.includes(name) ? [i] : []));
}

async function readAtBase(git: Git, ref: string, files: string[]): Promise<Map<string, LoadedFile | undefined>> {
  const commit = await git.resolve(ref);
  if (!commit) {
    throw new UserError('git.unknown-ref', `The base ref "${ref}" is not in this checkout.`, {
      hint: 'Check out with history (actions/checkout with fetch-depth: 0), or fetch the base branch first.',
      details: { args: [], exitCode: null, stderr: '' },
    });
  }
  // With its DSL file, when it keeps one: a change to the DSL alone is a change that needs a bump.
  const read = (file: string) => git.show(commit, file);
  const loaded = await Promise.all(files.map((file) => readDefinition(read, file)));
  return new Map(files.map((file, i) => [file, loaded[i] ?? undefined]));
}

/** Diagnostics on their lines, then one line per file, then outputs. */
export function reportValidation(report: ValidationReport, sink: ReportSink): void {
  let errors = 0;
  for (const file of report.files) {
    for (const d of [...file.errors, ...file.warnings]) sink.diagnostic(d);
    errors += file.errors.length;
    const label = file.name && file.version ? `${file.name}@${file.version} (${file.file})` : file.file;
    const status = file.ok ? (file.warnings.length ? `ok, ${file.warnings.length} warning(s)` : 'ok') : `${file.errors.length} error(s)`;
    sink.info(`${file.ok ? '✓' : '✗'} ${label}: ${status}`);
  }
  for (const d of report.warnings ?? []) sink.diagnostic(d);
  if (report.files.length === 0) sink.warn('No definitions found: nothing to validate.');
  sink.info(
    report.ok
      ? `All ${report.files.length} definition(s) are valid.`
      : `${errors} error(s) in ${report.files.filter((f) => !f.ok).length} file(s).`,
  );
  sink.output(Outputs.valid, String(report.ok));
  sink.output(Outputs.errors, String(errors));
  sink.output(Outputs.definitions, JSON.stringify(report.files.map((f) => ({ file: f.file, name: f.name, version: f.version, ok: f.ok }))));
}
