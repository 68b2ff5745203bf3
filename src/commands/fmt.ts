// fmt: rewrite definitions in canonical form (sorted keys, 2-space indent, trailing newline),
// or with --check, fail on any file that is not, so diffs stay small and hashes stable.
import { cliCommand } from '../version.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommonSettings, FmtOptions } from '../settings.js';
import type { ReportSink } from '../report/sink.js';
import { loadDefinitionFiles } from '../definition/load.js';
import { formatCanonical, isCanonical } from '../definition/canonical.js';
import { ownValue } from '../definition/dsl-file.js';
import { checkKnownNames, definitionNameOf } from '../selection.js';

export async function runFmt(
  settings: CommonSettings,
  options: FmtOptions,
  deps: { sink: ReportSink },
): Promise<{ exitCode: number; changed: string[] }> {
  const everyFile = await loadDefinitionFiles(path.resolve(settings.root, settings.workflowsDir), settings.root);
  if (settings.only) checkKnownNames(settings.only, everyFile.map(definitionNameOf));
  const files = settings.only ? everyFile.filter((f) => settings.only?.includes(definitionNameOf(f))) : everyFile;
  const changed: string[] = [];
  let broken = 0;
  for (const file of files) {
    if (file.diagnostics.length || file.value === undefined) {
      // A file that does not parse cannot be formatted; say where it breaks.
      for (const d of file.diagnostics) deps.sink.diagnostic(d);
      broken++;
      continue;
    }
    // Only the definition is formatted: a DSL file stays byte for byte as Dify exported it.
    const own = ownValue(file);
    if (isCanonical(file.text, own)) continue;
    changed.push(file.file);
    if (options.check) {
      deps.sink.diagnostic({
        file: file.file,
        path: '',
        line: 1,
        column: 1,
        severity: 'error',
        message: `Not in canonical form. Run "${cliCommand('fmt')}" and commit the result.`,
      });
    } else {
      await writeFile(path.resolve(settings.root, file.file), formatCanonical(own));
      deps.sink.info(`formatted ${file.file}`);
    }
  }
  if (options.check)
    deps.sink.info(changed.length ? `${changed.length} file(s) need formatting.` : `All ${files.length} file(s) are in canonical form.`);
  return { exitCode: broken || (options.check && changed.length) ? 1 : 0, changed };
}
