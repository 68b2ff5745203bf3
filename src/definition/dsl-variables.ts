// Environment and conversation variables: each value must fit its declared type, and each name
// appears once. Dify's importer builds every variable through factories/variable_factory.py
// (_build_variable_from_mapping) and refuses the whole import on the first misfit, after our backup.
import type { DifyDsl } from './types.js';
import { isRecord, type Reporter } from './diagnostics.js';

const isString = (v: unknown) => typeof v === 'string';
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown) => typeof v === 'boolean';
const arrayOf = (item: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.every(item);

/** value_type → the values it takes: the cases of variable_factory._build_variable_from_mapping. */
const VALUE_TYPES: Record<string, { fits: (v: unknown) => boolean; example: string }> = {
  string: { fits: isString, example: '"text"' },
  secret: { fits: isString, example: '""' },
  number: { fits: isNumber, example: '3' },
  integer: { fits: (v) => Number.isInteger(v), example: '3' },
  float: { fits: isNumber, example: '0.5' },
  boolean: { fits: isBoolean, example: 'true' },
  object: { fits: isRecord, example: '{}' },
  'array[string]': { fits: arrayOf(isString), example: '["a"]' },
  'array[number]': { fits: arrayOf(isNumber), example: '[1]' },
  'array[object]': { fits: arrayOf(isRecord), example: '[{}]' },
  'array[boolean]': { fits: arrayOf(isBoolean), example: '[true]' },
};

export const VARIABLE_VALUE_TYPES: readonly string[] = Object.keys(VALUE_TYPES);

export function checkVariables(reporter: Reporter, dsl: DifyDsl): void {
  const workflow = dsl.workflow;
  if (!workflow) return;
  checkList(reporter, workflow.environment_variables, 'environment_variables', 'environment');
  checkList(reporter, workflow.conversation_variables, 'conversation_variables', 'conversation');
}

function checkList(reporter: Reporter, list: unknown, key: string, what: string): void {
  if (!Array.isArray(list)) return;
  const pointer = `/dsl/workflow/${key}`;
  const firstAt = new Map<string, number>();
  list.forEach((variable: unknown, i) => {
    if (!isRecord(variable) || typeof variable.name !== 'string') return;
    const { name, value_type: type, value } = variable;
    const at = `${pointer}/${i}`;
    const first = firstAt.get(name);
    if (first === undefined) firstAt.set(name, i);
    else {
      reporter.error(
        `${at}/name`,
        `${what} variable "${name}" is declared twice (also #${first}); Dify keeps one of them, so rename or remove this one`,
      );
    }
    if (typeof type !== 'string') return;
    const spec = Object.hasOwn(VALUE_TYPES, type) ? VALUE_TYPES[type] : undefined;
    if (!spec) {
      reporter.error(
        `${at}/value_type`,
        `${what} variable "${name}" has value_type "${type}", which Dify does not take; use one of ${VARIABLE_VALUE_TYPES.join(', ')}`,
      );
      return;
    }
    if (value === undefined || value === null) {
      reporter.error(
        at,
        `${what} variable "${name}" has no value; Dify refuses the import ("missing value"), so give it one, e.g. "value": ${spec.example}`,
      );
    } else if (!spec.fits(value)) {
      reporter.error(
        `${at}/value`,
        `${what} variable "${name}" is declared ${type} but its value is ${kindOfValue(value)}; write a ${type} value such as ${spec.example}, or change value_type`,
      );
    }
  });
}

/** The value's JSON kind, never the value itself: a mistyped value may still be a credential. */
function kindOfValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array holding items of another type';
  if (isRecord(value)) return 'an object';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return `a ${typeof value}`;
}
