// adopt: turn a DSL file exported from Dify's UI into a definition under workflows/.
import { readFile, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../settings.js';
import type { ReportSink } from '../report/sink.js';
import { adoptDsl } from '../definition/adopt.js';
import { formatCanonical } from '../definition/canonical.js';
import { UsageError } from '../support/errors.js';

export async function runAdopt(settings: Settings, deps: { sink: ReportSink }): Promise<{ exitCode: number; file: string }> {
  const [source] = settings.args;
  if (!source || !settings.name || !settings.app) {
    throw new UsageError('Usage: dify-gitops adopt <export.yml> --name <name> --app <app-uuid> [--dir workflows]');
  }
  const target = path.join(settings.workflowsDir, `${settings.name}.json`);
  const absolute = path.resolve(settings.root, target);
  if (await exists(absolute)) {
    throw new UsageError(`${target} already exists. Pick another --name, or delete the file first if you mean to replace it.`);
  }
  const definition = adoptDsl(await readFile(path.resolve(settings.root, source), 'utf8'), { name: settings.name, app: settings.app, sourceFile: source });
  await writeFile(absolute, formatCanonical(definition));
  const secrets = Object.keys(definition.secrets ?? {});
  deps.sink.info(`Wrote ${target} (version ${definition.version}, mode ${definition.dsl.app.mode}).`);
  if (secrets.length) deps.sink.info(`Declared secrets: ${secrets.join(', ')}. Provide each as an environment variable at deploy time.`);
  deps.sink.info('Add smoke checks under "smoke", then run "npx dify-gitops validate".');
  return { exitCode: 0, file: target };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}
