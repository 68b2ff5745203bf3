// adopt: turn a DSL file exported from Dify's UI into a definition under workflows/.
import { cliCommand } from '../version.js';
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import { parseDefinitionText } from '../definition/load.js';
import { validateDefinitions } from '../definition/validate.js';
import path from 'node:path';
import type { AdoptOptions, CommonSettings } from '../settings.js';
import type { ReportSink } from '../report/sink.js';
import { adoptDsl } from '../definition/adopt.js';
import { formatCanonical } from '../definition/canonical.js';
import { UserError } from '../support/errors.js';

export async function runAdopt(
  settings: CommonSettings,
  options: AdoptOptions,
  deps: { sink: ReportSink },
): Promise<{ exitCode: number; file: string }> {
  const { file: source, name, app } = options;
  if (!source || !name || !app) {
    throw new UserError('usage', 'Usage: dify-gitops adopt <export.yml> --name <name> --app <app-uuid> [--dir workflows]');
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
  const target = path.join(settings.workflowsDir, `${name}.json`);
  const absolute = path.resolve(settings.root, target);
  if (await exists(absolute)) {
    throw new UserError('usage', `${target} already exists. Pick another --name, or delete the file first if you mean to replace it.`);
  }
  // The app serves the one environment named (--environment, production by default): a definition
  // deploys only where it says, and more environments (or "*") are an edit away.
  const definition = adoptDsl(await readFile(path.resolve(settings.root, source), 'utf8'), {
    name,
    app: { [settings.environment]: app },
    sourceFile: source,
  });
  const text = formatCanonical(definition);
  const problems = validateDefinitions([parseDefinitionText(target, text)]).files[0].errors;
  if (problems.length) {
    for (const d of problems) deps.sink.diagnostic(d);
    throw new UserError(
      'usage',
      `The export does not make a valid definition (${problems.length} problem(s) above); nothing was written. Fix the app in Dify and export it again.`,
    );
  }
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFile(absolute, text);
  const secrets = Object.keys(definition.secrets ?? {});
  deps.sink.info(`Wrote ${target} (version ${definition.version}, mode ${definition.dsl.app.mode}).`);
  if (secrets.length) deps.sink.info(`Declared secrets: ${secrets.join(', ')}. Provide each as an environment variable at deploy time.`);
  deps.sink.info(`Add smoke checks under "smoke", then run "${cliCommand('validate')}".`);
  return { exitCode: 0, file: target };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
