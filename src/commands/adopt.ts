// adopt: turn a DSL file exported from Dify's UI into a definition under workflows/: the DSL inside
// the JSON, or (--form yaml) in a file beside it, byte for byte as exported.
import { cliCommand } from '../version.js';
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import { parseDefinitionText } from '../definition/load.js';
import { validateDefinitions } from '../definition/validate.js';
import path from 'node:path';
import type { AdoptOptions, CommonSettings } from '../settings.js';
import type { ReportSink } from '../report/sink.js';
import { adoptDsl, exportHoldsSecretValues } from '../definition/adopt.js';
import { withDslFile } from '../definition/dsl-file.js';
import { formatCanonical } from '../definition/canonical.js';
import { UserError } from '../support/errors.js';

export async function runAdopt(
  settings: CommonSettings,
  options: AdoptOptions,
  deps: { sink: ReportSink },
): Promise<{ exitCode: number; file: string; dslFile?: string }> {
  const { file: source, name, app } = options;
  if (!source || !name || !app) {
    throw new UserError(
      'usage',
      'Usage: dify-gitops adopt <export.yml> --name <name> --app <app-uuid> [--form json|yaml] [--dir workflows]',
    );
  }
  // The same rules the validator applies, checked before anything is written.
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new UserError(
      'usage',
      `--name "${name}" is not a lowercase slug (a-z, 0-9, "-"); it becomes the file name and the release tag prefix.`,
    );
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(app)) {
    throw new UserError('usage', `--app "${app}" is not a Dify app id (a uuid, as in the app's URL: /app/<uuid>/workflow).`);
  }
  const form = options.form ?? 'json';
  const target = path.join(settings.workflowsDir, `${name}.json`);
  const dslTarget = path.join(settings.workflowsDir, `${name}.dify.yml`);
  const written = form === 'yaml' ? [target, dslTarget] : [target];
  for (const file of written) {
    if (await exists(path.resolve(settings.root, file))) {
      throw new UserError('usage', `${file} already exists. Pick another --name, or delete the file first if you mean to replace it.`);
    }
  }
  // The bytes as exported: the YAML form keeps them exactly, so the review shows Dify's own text.
  const exported = await readFile(path.resolve(settings.root, source));
  const yaml = exported.toString('utf8');
  // The app serves the one environment named (--environment, production by default): a definition
  // deploys only where it says, and more environments (or "*") are an edit away.
  const definition = adoptDsl(yaml, { name, app: { [settings.environment]: app }, sourceFile: source });
  if (form === 'yaml' && exportHoldsSecretValues(yaml)) {
    throw new UserError('usage', `${source} holds the values of secret variables; nothing was written.`, {
      hint: 'Export the app again without secrets (Dify leaves them out unless asked), or adopt with --form json, which blanks them.',
    });
  }
  const { dsl: _dsl, ...envelope } = definition;
  const text = formatCanonical(form === 'yaml' ? { ...envelope, dsl_file: path.basename(dslTarget) } : definition);
  const loaded = parseDefinitionText(target, text);
  const problems = validateDefinitions([form === 'yaml' ? withDslFile(loaded, { text: yaml }) : loaded]).files[0].errors;
  if (problems.length) {
    for (const d of problems) deps.sink.diagnostic(d);
    throw new UserError(
      'usage',
      `The export does not make a valid definition (${problems.length} problem(s) above); nothing was written. Fix the app in Dify and export it again.`,
    );
  }
  await mkdir(path.dirname(path.resolve(settings.root, target)), { recursive: true });
  if (form === 'yaml') await writeFile(path.resolve(settings.root, dslTarget), exported);
  await writeFile(path.resolve(settings.root, target), text);
  const secrets = Object.keys(definition.secrets ?? {});
  const dslNote = form === 'yaml' ? `, its DSL in ${dslTarget} as Dify exported it` : '';
  deps.sink.info(`Wrote ${target} (version ${definition.version}, mode ${definition.dsl.app.mode}${dslNote}).`);
  if (secrets.length) deps.sink.info(`Declared secrets: ${secrets.join(', ')}. Provide each as an environment variable at deploy time.`);
  deps.sink.info(`Add smoke checks under "smoke", then run "${cliCommand('validate')}".`);
  return { exitCode: 0, file: target, ...(form === 'yaml' ? { dslFile: dslTarget } : {}) };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
