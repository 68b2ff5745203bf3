// <name>.evals.jsonl: more eval cases beside a definition, one JSON object a line. Each line is
// parsed with locations and checked against the case schema, so a problem names the JSONL file,
// its line and column, and the JSON path inside that line's case.
import type { ValidateFunction } from 'ajv';
import { loadAjv } from '../support/on-demand.cjs';
import { createReporter, isRecord, type Reporter } from './diagnostics.js';
import { evalCaseSchema } from './envelope-schema.js';
import { parseDefinitionText } from './load.js';
import { describeSchemaError } from './schema.js';
import type { EvalCase, LoadedFile } from './types.js';

let caseValidator: ValidateFunction | undefined;

export interface FileCase {
  value: EvalCase;
  /** Reports at a pointer inside this line's case. */
  reporter: Reporter;
}

/** Cases of the file that passed the schema, each with a reporter bound to its line; problems go to `sink`. */
export function readEvalsFile(file: { file: string; text: string }, sink: Reporter): FileCase[] {
  caseValidator ??= new (loadAjv().Ajv)({
    allErrors: true,
    allowUnionTypes: true,
    strict: true,
    strictRequired: false,
    verbose: true,
  }).compile(evalCaseSchema);
  const cases: FileCase[] = [];
  file.text.split('\n').forEach((raw, index) => {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') return;
    const line = index + 1;
    const parsed = parseDefinitionText(file.file, text);
    const located: LoadedFile = {
      ...parsed,
      locate: (pointer) => ({ line, column: parsed.locate(pointer).column }),
      locateKey: (pointer) => ({ line, column: (parsed.locateKey ?? parsed.locate)(pointer).column }),
    };
    // Diagnostics land in the definition's report, each naming the JSONL file and line.
    const reporter = createReporter(located, sink);
    if (parsed.value === undefined) {
      const problem = parsed.diagnostics[0];
      reporter.error('', `${problem?.message ?? 'invalid JSON'}; each line must be one eval case as a JSON object`, {
        line,
        column: problem?.column ?? 1,
      });
      return;
    }
    if (!caseValidator!(parsed.value)) {
      for (const error of caseValidator!.errors ?? []) {
        const mapped = describeSchemaError(error);
        if (!mapped) continue;
        if (mapped.atKey) reporter.errorAtKey(mapped.pointer, mapped.message);
        else reporter.error(mapped.pointer, mapped.message);
      }
      return;
    }
    if (isRecord(parsed.value)) cases.push({ value: parsed.value as unknown as EvalCase, reporter });
  });
  return cases;
}
