// The validation engine: pure and synchronous over loaded files. Each file is checked on its
// own (envelope, DSL version, variables, graph, references, secrets, smoke, canonical form), then across files
// (duplicate names and app ids, version bumps against the base ref).
import type { Definition, FileReport, LoadedFile, ValidationReport, ValidDefinition } from './types.js';
import { compareDiagnostics, createReporter, isRecord, type Reporter } from './diagnostics.js';
import { checkEnvelope } from './schema.js';
import { checkGraph } from './graph.js';
import { createGraphIndex } from './graph-index.js';
import { checkReferences } from './references.js';
import { checkVariables } from './dsl-variables.js';
import { checkDslVersion } from './dsl-version.js';
import { checkSecrets, scanForCredentials } from './secrets.js';
import { checkSmoke } from './smoke.js';
import { checkEvals } from './evals.js';
import { readEvalsFile } from './evals-file.js';
import { findFirstNonCanonicalLine } from './canonical.js';
import { type BaseDefinition, checkDuplicates, checkVersionBumps } from './cross-file.js';
import { escapePointerToken } from './json-locate.js';
import { ownValue } from './dsl-file.js';

/** The "app" key that serves every environment (stages/target.ts reads it the same way). */
const EVERY = '*';

export interface ValidateOptions {
  /** File → the definition at the PR's base ref (its text, or read with its DSL file); `undefined` when new there. */
  base?: Map<string, BaseDefinition>;
}

export function validateDefinitions(files: LoadedFile[], options: ValidateOptions = {}): ValidationReport {
  const reporters = files.map((file) => validateOne(file));
  checkDuplicates(reporters);
  if (options.base) checkVersionBumps(reporters, options.base);
  const reports = reporters.map(toFileReport);
  return { ok: reports.every((report) => report.ok), files: reports };
}

/** Checks one file on its own; the returned reporter holds its diagnostics so far. */
export function validateOne(file: LoadedFile): Reporter {
  const reporter = createReporter(file);
  reporter.errors.push(...file.diagnostics);
  if (file.value === undefined) return reporter;
  const value = file.value;
  const failed = checkEnvelope(reporter, value);
  scanForCredentials(reporter, value, '');
  if (!isRecord(value)) return reporter;

  const nonCanonicalLine = findFirstNonCanonicalLine(file.text, ownValue(file));
  if (nonCanonicalLine !== undefined) {
    reporter.warn(
      '',
      `file is not in canonical form (keys sorted, 2-space indent, trailing newline); first difference at line ${nonCanonicalLine}; run "dify-gitops fmt" to rewrite it`,
      { line: nonCanonicalLine, column: 1 },
    );
  }
  checkName(reporter, value);

  const failedUnder = (prefix: string) => failed.some((p) => p === '' || p === prefix || p.startsWith(`${prefix}/`));
  // A DSL file that could not be read left no DSL to check (its diagnostic says why).
  if (failedUnder('/dsl') || !isRecord(value.dsl)) return reporter;
  const definition = value as unknown as Definition;
  checkDslVersion(reporter, definition.dsl);
  checkVariables(reporter, definition.dsl);
  const index = createGraphIndex(definition.dsl);
  if (index) {
    checkGraph(reporter, index, definition.dsl.app.mode);
    checkReferences(reporter, definition.dsl, index);
  }
  checkSecrets(reporter, definition, !failedUnder('/secrets'));
  if (!failedUnder('/smoke')) checkSmoke(reporter, definition, index);
  if (!failedUnder('/evals')) checkEvals(reporter, definition, index, file);
  if (!failedUnder('/app')) checkEveryEnvironment(reporter, definition);
  if (!failedUnder('/app') && !failedUnder('/datasets')) checkDatasetEnvironments(reporter, definition);
  return reporter;
}

function checkName(reporter: Reporter, value: Record<string, unknown>): void {
  if (typeof value.name !== 'string') return;
  const base = baseName(reporter.file.file);
  if (value.name !== base) {
    reporter.error(
      '/name',
      `name "${value.name}" must equal the file's base name "${base}"; rename the file to ${value.name}.json or set name to "${base}"`,
    );
  }
}

/** "*" is one app for every environment: next to named ones it would be unclear which wins. */
function checkEveryEnvironment(reporter: Reporter, definition: Definition): void {
  if (!isRecord(definition.app) || !(EVERY in definition.app)) return;
  const named = Object.keys(definition.app).filter((e) => e !== EVERY);
  if (named.length === 0) return;
  reporter.errorAtKey(
    `/app/${escapePointerToken(EVERY)}`,
    `"app" has "*" (every environment) next to named environments (${named.join(', ')}); keep either "*" alone or only named environments`,
  );
}

/** With per-environment apps, dataset ids must be given for those environments only. */
function checkDatasetEnvironments(reporter: Reporter, definition: Definition): void {
  if (!isRecord(definition.app) || !isRecord(definition.datasets)) return;
  const environments = Object.keys(definition.app);
  if (environments.includes(EVERY)) return;
  for (const [alias, byEnvironment] of Object.entries(definition.datasets)) {
    for (const environment of Object.keys(byEnvironment)) {
      if (environment === EVERY || environments.includes(environment)) continue;
      reporter.errorAtKey(
        `/datasets/${escapePointerToken(alias)}/${escapePointerToken(environment)}`,
        `dataset "${alias}" names environment "${environment}", which "app" does not define (${environments.join(', ')}); use one of those`,
      );
    }
  }
}

export function baseName(file: string): string {
  const last = file.slice(file.lastIndexOf('/') + 1);
  return last.endsWith('.json') ? last.slice(0, -'.json'.length) : last;
}

/** The cases of <name>.evals.jsonl (checked above) join the inline ones, so commands read one list. */
function withFileCases(file: LoadedFile, definition: ValidDefinition): ValidDefinition {
  if (!file.evalsFile) return definition;
  const extra = readEvalsFile(file.evalsFile, createReporter(file)).map((c) => c.value);
  if (extra.length === 0) return definition;
  return { ...definition, evals: { ...definition.evals, cases: [...(definition.evals?.cases ?? []), ...extra] } };
}

function toFileReport(reporter: Reporter): FileReport {
  const value = reporter.file.value;
  const errors = [...reporter.errors].sort(compareDiagnostics);
  const warnings = [...reporter.warnings].sort(compareDiagnostics);
  const report: FileReport = { file: reporter.file.file, ok: errors.length === 0, errors, warnings };
  if (isRecord(value) && typeof value.name === 'string') report.name = value.name;
  if (isRecord(value) && typeof value.version === 'string') report.version = value.version;
  // The one place a definition becomes valid: every check above passed.
  if (report.ok) report.definition = withFileCases(reporter.file, value as ValidDefinition);
  return report;
}
