// Every check reports through a Reporter so each diagnostic carries file, pointer, line and column.
import type { Diagnostic, LoadedFile, Place } from './types.js';
import { escapePointerToken, type Position } from './json-locate.js';

export interface Reporter {
  readonly file: LoadedFile;
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
  /** `at` overrides the position found from `pointer` (e.g. the first non-canonical line). */
  error(pointer: string, message: string, at?: Position): void;
  warn(pointer: string, message: string, at?: Position): void;
  /** An error placed on the property name rather than its value (unknown keys). */
  errorAtKey(pointer: string, message: string): void;
  warnAtKey(pointer: string, message: string): void;
}

/** `into`: collect into another reporter's lists (a companion file's lines reported with their definition). */
export function createReporter(file: LoadedFile, into?: Pick<Reporter, 'errors' | 'warnings'>): Reporter {
  const errors: Diagnostic[] = into?.errors ?? [];
  const warnings: Diagnostic[] = into?.warnings ?? [];
  // A pointer under a DSL kept in its own file is reported in that file, with the pointer there.
  const make = (severity: Diagnostic['severity'], path: string, message: string, at: Place = file.locate(path)): Diagnostic => ({
    file: at.file ?? file.file,
    path: at.path ?? path,
    line: at.line,
    column: at.column,
    severity,
    message,
  });
  const locateKey = (pointer: string) => (file.locateKey ?? file.locate)(pointer);
  return {
    file,
    errors,
    warnings,
    error: (pointer, message, at) => void errors.push(make('error', pointer, message, at)),
    warn: (pointer, message, at) => void warnings.push(make('warning', pointer, message, at)),
    errorAtKey: (pointer, message) => void errors.push(make('error', pointer, message, locateKey(pointer))),
    warnAtKey: (pointer, message) => void warnings.push(make('warning', pointer, message, locateKey(pointer))),
  };
}

/** Joins reference tokens into a JSON Pointer. */
export function pointerOf(...tokens: Array<string | number>): string {
  let out = '';
  for (const token of tokens) out += '/' + escapePointerToken(String(token));
  return out;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

/** Formats a diagnostic the way compilers do: file:line:col: severity: message (path). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.path === '' ? '' : ` (at ${d.path})`;
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${where}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
