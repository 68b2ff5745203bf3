// Eval cases that cannot mean anything are caught before any run: inputs the start node does not
// declare or declares with another type, a chatflow case without a query, outputs the app never
// produces, regular expressions and schemas that do not compile, and two cases with one name.
import type { Reporter } from './diagnostics.js';
import { readEvalsFile } from './evals-file.js';
import type { GraphIndex } from './graph-index.js';
import { escapePointerToken } from './json-locate.js';
import { checkJsonSchemaDocument } from './schema.js';
import { readEndOutputs, readStartVariables, type StartVariable } from './smoke.js';
import type { Definition, EvalCase, LoadedFile } from './types.js';

/** Dify's start-variable types and the JSON type a value for each must have. */
const INPUT_TYPES: Record<string, 'string' | 'number' | 'boolean' | 'object' | 'array'> = {
  'text-input': 'string',
  paragraph: 'string',
  select: 'string',
  number: 'number',
  checkbox: 'boolean',
  json_object: 'object',
  file: 'object',
  'file-list': 'array',
};

/** Only these modes have a draft to run a candidate in (Dify's console draft-run routes). */
export const EVAL_MODES = new Set(['workflow', 'advanced-chat']);

interface Shape {
  mode: string;
  variables?: StartVariable[];
  outputs?: Set<string>;
}

/** Checks inline cases and the file beside the definition; returns every case, in order. */
export function checkEvals(reporter: Reporter, definition: Definition, index: GraphIndex | undefined, file: LoadedFile): EvalCase[] {
  const inline = definition.evals?.cases ?? [];
  const beside = file.evalsFile ? readEvalsFile(file.evalsFile, reporter) : [];
  const all = [...inline.map((value, i) => ({ value, reporter, at: `/evals/cases/${i}` })), ...beside.map((c) => ({ ...c, at: '' }))];
  if (all.length === 0) return [];
  const mode = definition.dsl.app.mode;
  if (!EVAL_MODES.has(mode)) {
    reporter.error(
      definition.evals ? '/evals' : '',
      `eval cases need a workflow or advanced-chat app (this one is ${mode}): Dify runs a candidate only in a workflow draft`,
    );
    return [];
  }
  const shape: Shape = {
    mode,
    variables: index && readStartVariables(index),
    outputs: mode === 'workflow' && index ? readEndOutputs(index) : undefined,
  };
  const names = new Map<string, string>();
  for (const { value, reporter: at, at: base } of all) {
    const where = base || `${at.file.file}:${at.file.locate('').line}`;
    const previous = names.get(value.name);
    if (previous) at.error(`${base}/name`, `eval case name "${value.name}" is also used at ${previous}; give each case a distinct name`);
    else names.set(value.name, where);
    checkCase(at, base, value, shape);
  }
  return all.map((c) => c.value);
}

function checkCase(reporter: Reporter, at: string, evalCase: EvalCase, shape: Shape): void {
  if (shape.mode === 'advanced-chat' && evalCase.query === undefined) {
    reporter.error(at, `eval case "${evalCase.name}" has no "query"; chatflow apps are run with a chat message, so add "query"`);
  }
  if (shape.variables) checkInputs(reporter, `${at}/inputs`, evalCase.inputs, shape.variables);
  const expect = evalCase.expect;
  const known = shape.outputs;
  for (const key of ['equals', 'contains', 'regex'] as const) {
    for (const field of Object.keys(expect[key] ?? {})) {
      const pointer = `${at}/expect/${key}/${escapePointerToken(field)}`;
      if (known && !known.has(field)) reporter.errorAtKey(pointer, unknownOutput(field, known));
      if (shape.mode === 'advanced-chat' && field !== 'answer') {
        reporter.errorAtKey(pointer, `a chatflow run has one output, "answer"; use "answer" instead of "${field}"`);
      }
    }
  }
  for (const [field, pattern] of Object.entries(expect.regex ?? {})) {
    try {
      new RegExp(pattern, 'u');
    } catch (error) {
      reporter.error(
        `${at}/expect/regex/${escapePointerToken(field)}`,
        `not a valid regular expression: ${(error as Error).message}; fix the pattern`,
      );
    }
  }
  if (expect.outputs !== undefined) reportBadSchema(reporter, `${at}/expect/outputs`, expect.outputs);
  if (expect.json_output) {
    reportBadSchema(reporter, `${at}/expect/json_output/schema`, expect.json_output.schema);
    if (known && !known.has(expect.json_output.field)) {
      reporter.error(`${at}/expect/json_output/field`, unknownOutput(expect.json_output.field, known));
    }
  }
}

function checkInputs(reporter: Reporter, pointer: string, inputs: Record<string, unknown>, variables: StartVariable[]): void {
  const byName = new Map(variables.map((v) => [v.name, v]));
  for (const variable of variables) {
    if (variable.required && !Object.hasOwn(inputs, variable.name)) {
      reporter.error(pointer, `missing required input "${variable.name}" (a start-node variable); add it to "inputs"`);
    }
  }
  for (const [name, value] of Object.entries(inputs)) {
    const at = `${pointer}/${escapePointerToken(name)}`;
    const variable = byName.get(name);
    if (!variable) {
      const list = variables.length > 0 ? variables.map((v) => `"${v.name}"`).join(', ') : 'none';
      reporter.errorAtKey(
        at,
        `input "${name}" is not declared by the start node (declared: ${list}); an eval must run the inputs the app takes`,
      );
      continue;
    }
    const want = INPUT_TYPES[variable.type];
    if (want && jsonType(value) !== want) {
      reporter.error(
        at,
        `input "${name}" is a ${variable.type} variable, so it takes ${article(want)} ${want}, not ${article(jsonType(value))} ${jsonType(value)}`,
      );
    }
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

function unknownOutput(field: string, outputs: Set<string>): string {
  const known = outputs.size > 0 ? [...outputs].map((name) => `"${name}"`).join(', ') : 'none';
  return `the workflow has no output "${field}" (its End nodes output ${known}); use one of those names`;
}

function reportBadSchema(reporter: Reporter, pointer: string, schema: unknown): void {
  const problems = checkJsonSchemaDocument(schema);
  if (problems.length > 0) reporter.error(pointer, `not a valid JSON Schema (draft-07): ${problems[0]}; fix the schema`);
}
