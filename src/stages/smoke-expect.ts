// Whether one run meets a smoke check's `expect`: pure, so it is tested table-driven.
import type { Ajv, ValidateFunction } from 'ajv';
import { loadAjv } from '../support/on-demand.cjs';
import type { SmokeCheck } from '../definition/types.js';
import type { RunResult } from '../dify/types.js';
import { parseForgivingJson } from '../definition/forgiving-json.js';

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    ajv ??= new (loadAjv().Ajv)({ allErrors: true, strict: false });
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** Every way the run missed the expectation, in words a reviewer understands; empty when it passed. */
export function checkExpectations(check: SmokeCheck, run: RunResult): string[] {
  const failures: string[] = [];
  const expect = check.expect ?? {};
  const wantStatus = expect.status ?? 'succeeded';
  if (run.status !== wantStatus) {
    failures.push(`status is "${run.status}", expected "${wantStatus}"${run.error ? `: ${truncate(run.error)}` : ''}`);
  }
  const outputs: Record<string, unknown> = {
    ...run.outputs,
    ...(run.answer !== undefined && !('answer' in run.outputs) ? { answer: run.answer } : {}),
  };
  if (expect.outputs) {
    const validate = compile(expect.outputs);
    if (!validate(run.outputs)) failures.push(`outputs do not match the schema: ${describeAjv(validate)}`);
  }
  if (expect.json_output) {
    const { field, schema } = expect.json_output;
    const text = outputs[field];
    if (typeof text !== 'string') failures.push(`output "${field}" is not text, so it cannot be parsed as JSON`);
    else {
      const parsed = parseForgivingJson(text);
      if (!parsed.ok) failures.push(`output "${field}" is not JSON even after cleanup: ${parsed.error}`);
      else {
        const validate = compile(schema);
        if (!validate(parsed.value)) failures.push(`JSON in output "${field}" does not match the schema: ${describeAjv(validate)}`);
      }
    }
  }
  for (const [field, needle] of Object.entries(expect.contains ?? {})) {
    const value = outputs[field];
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    if (!text.includes(needle)) failures.push(`output "${field}" does not contain ${JSON.stringify(needle)} (got ${truncate(text)})`);
  }
  if (expect.max_latency_ms !== undefined && run.elapsedMs > expect.max_latency_ms) {
    failures.push(`took ${Math.round(run.elapsedMs)} ms, over the budget of ${expect.max_latency_ms} ms`);
  }
  return failures;
}

function describeAjv(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
}

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
