// `dify-gitops render NAME`: the exact YAML a deploy would import into the environment, secrets blank
// and knowledge-base aliases mapped to the environment's ids: the Dify equivalent of `helm template`.
import type { RunOutcome } from '../outcomes.js';
import type { ReportSink } from '../report/sink.js';
import { loadNamedDefinitions } from '../selection.js';
import type { CommonSettings, RenderOptions } from '../settings.js';
import { renderTarget } from '../stages/target.js';
import { UserError } from '../support/errors.js';

export async function runRender(
  settings: Pick<CommonSettings, 'root' | 'workflowsDir' | 'environment' | 'json' | 'only'>,
  options: RenderOptions,
  deps: { sink: ReportSink; write?: (text: string) => void },
): Promise<RunOutcome> {
  // --workflows alone names what to render; with names as well, they must be among it.
  const names = options.names.length ? options.names : settings.only ? 'all' : [];
  if (names.length === 0) throw new UserError('usage', 'Name the definition to render: dify-gitops render NAME [--environment ENV].');
  const { definitions, unreadable } = await loadNamedDefinitions(settings, names);
  if (unreadable.length) throw new UserError('definition.unreadable', unreadable[0].error, { location: { file: unreadable[0].file } });
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const rendered = definitions.map(({ definition, file }) => {
    try {
      return { name: definition.name, file: file.file, ...renderTarget(definition, settings.environment) };
    } catch (error) {
      // Point at the file: the target's errors know the JSON path only.
      if (error instanceof UserError && error.location && !error.location.file) error.location.file = file.file;
      throw error;
    }
  });
  if (settings.json) {
    return {
      exitCode: 0,
      json: rendered.map(({ name, file, appId, yaml }) => ({ name, file, environment: settings.environment, appId, yaml })),
    };
  }
  for (const [i, r] of rendered.entries()) {
    // Several documents, as helm template prints them; a comment says where each goes.
    write(`${i > 0 ? '---\n' : ''}# ${r.name} → app ${r.appId} (${settings.environment})\n${r.yaml}`);
  }
  return { exitCode: 0 };
}
