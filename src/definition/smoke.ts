// Smoke checks that cannot pass are caught here rather than after a publish: wrong inputs,
// a missing chat query, output fields the app never produces, or an invalid expectation schema.
import type { Definition } from './types.js';
import { isRecord, type Reporter } from './diagnostics.js';
import type { GraphIndex } from './graph-index.js';
import { escapePointerToken } from './json-locate.js';
import { checkJsonSchemaDocument } from './schema.js';

const CHAT_MODES = new Set(['advanced-chat', 'chat', 'agent-chat']);

export function checkSmoke(reporter: Reporter, definition: Definition, index: GraphIndex | undefined): void {
  const checks = definition.smoke ?? [];
  const mode = definition.dsl.app.mode;
  const startVariables = index ? readStartVariables(index) : undefined;
  const outputNames = mode === 'workflow' && index ? readEndOutputs(index) : undefined;
  const names = new Map<string, number>();

  checks.forEach((check, i) => {
    const at = `/smoke/${i}`;
    const previous = names.get(check.name);
    if (previous !== undefined) {
      reporter.error(
        `${at}/name`,
        `smoke check name "${check.name}" is also used by smoke check #${previous}; give each check a distinct name`,
      );
    } else {
      names.set(check.name, i);
    }
    if (CHAT_MODES.has(mode) && check.query === undefined) {
      reporter.error(at, `smoke check "${check.name}" has no "query"; ${mode} apps are run with a chat message, so add "query"`);
    }
    if (startVariables) checkInputs(reporter, `${at}/inputs`, check.inputs, startVariables);
    const expect = check.expect;
    if (expect.outputs !== undefined) reportBadSchema(reporter, `${at}/expect/outputs`, expect.outputs);
    if (expect.json_output) {
      reportBadSchema(reporter, `${at}/expect/json_output/schema`, expect.json_output.schema);
      if (outputNames && !outputNames.has(expect.json_output.field)) {
        reporter.error(`${at}/expect/json_output/field`, unknownOutput(expect.json_output.field, outputNames));
      }
    }
    if (outputNames && expect.contains) {
      for (const field of Object.keys(expect.contains)) {
        if (!outputNames.has(field)) {
          reporter.errorAtKey(`${at}/expect/contains/${escapePointerToken(field)}`, unknownOutput(field, outputNames));
        }
      }
    }
  });
}

function unknownOutput(field: string, outputs: Set<string>): string {
  const known = outputs.size > 0 ? [...outputs].map((name) => `"${name}"`).join(', ') : 'none';
  return `the workflow has no output "${field}" (its End nodes output ${known}); use one of those names`;
}

function reportBadSchema(reporter: Reporter, pointer: string, schema: unknown): void {
  const problems = checkJsonSchemaDocument(schema);
  if (problems.length > 0) {
    reporter.error(pointer, `not a valid JSON Schema (draft-07): ${problems[0]}; fix the schema`);
  }
}

export interface StartVariable {
  name: string;
  /** Dify's variable type: text-input, paragraph, select, number, checkbox, json_object, file, file-list. */
  type: string;
  required: boolean;
}

export function readStartVariables(index: GraphIndex): StartVariable[] | undefined {
  const start = index.nodes.find((node) => node.data.type === 'start' && node.parentId === undefined);
  if (!start || !Array.isArray(start.data.variables)) return undefined;
  return start.data.variables
    .filter((v): v is Record<string, unknown> => isRecord(v) && typeof v.variable === 'string')
    .map((v) => ({ name: v.variable as string, type: String(v.type ?? ''), required: v.required === true }));
}

function checkInputs(reporter: Reporter, pointer: string, inputs: Record<string, unknown>, variables: StartVariable[]): void {
  for (const variable of variables) {
    if (variable.required && !Object.hasOwn(inputs, variable.name)) {
      reporter.error(pointer, `missing required input "${variable.name}" (a start-node variable); add it to "inputs"`);
    }
  }
  const known = new Set(variables.map((v) => v.name));
  for (const name of Object.keys(inputs)) {
    if (!known.has(name)) {
      const list = variables.length > 0 ? variables.map((v) => `"${v.name}"`).join(', ') : 'none';
      reporter.warnAtKey(
        `${pointer}/${escapePointerToken(name)}`,
        `input "${name}" is not a start-node variable (declared: ${list}); Dify will ignore it, so remove or rename it`,
      );
    }
  }
}

export function readEndOutputs(index: GraphIndex): Set<string> | undefined {
  const ends = index.nodes.filter((node) => node.data.type === 'end');
  if (ends.length === 0) return undefined;
  const names = new Set<string>();
  for (const end of ends) {
    if (!Array.isArray(end.data.outputs)) continue;
    for (const output of end.data.outputs) {
      if (isRecord(output) && typeof output.variable === 'string') names.add(output.variable);
    }
  }
  return names;
}
