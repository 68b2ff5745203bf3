// Where results go: the Actions runner (annotations, outputs, job summary) or a terminal.
// Commands report through this one interface so they do not care which surface they run on.
import * as core from '../support/actions-core.js';
import type { Diagnostic } from '../definition/types.js';
import { redact } from '../support/redact.js';

export interface ReportSink {
  readonly surface: 'action' | 'cli';
  /** A progress line (stdout on both surfaces). */
  info(line: string): void;
  warn(line: string): void;
  /** A problem in a file, shown on that line (annotation) or as file:line:col (terminal). */
  diagnostic(d: Diagnostic): void;
  /** Group a stage's log lines (a collapsible group in Actions). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** A step output. Redacted like every other sink, unless `secret`: a value that is itself the
   *  secret the workflow needs (the rotated api-key), which the runner masks on its own. */
  output(name: string, value: string, options?: { secret?: boolean }): void;
  /** Markdown for the job summary; the CLI prints nothing for it (it printed progress already). */
  summary(markdown: string): Promise<void>;
}

export function createActionSink(): ReportSink {
  return {
    surface: 'action',
    // The runner masks registered secrets; redact() also scrubs credential-shaped text we never
    // registered (a key pasted into a live app and echoed back in an error, say).
    info: (line) => core.info(redact(line)),
    warn: (line) => core.warning(redact(line)),
    diagnostic: (d) => {
      const props = { title: `dify-gitops: ${d.path || '(file)'}`, file: d.file, startLine: d.line, startColumn: d.column };
      if (d.severity === 'error') core.error(redact(d.message), props);
      else core.warning(redact(d.message), props);
    },
    group: (title, fn) => core.group(title, fn),
    output: (name, value, options) => core.setOutput(name, options?.secret ? value : redact(value)),
    summary: async (markdown) => {
      // Without GITHUB_STEP_SUMMARY (local runs of the action) there is nowhere to write.
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.appendSummary(redact(markdown));
    },
  };
}

export function createTerminalSink(options: { quiet?: boolean } = {}): ReportSink {
  // With --json, stdout carries only the JSON document: progress goes to stderr.
  // No runner masks a terminal, so every line is scrubbed of registered secrets here.
  const out = (line: string) => (options.quiet ? process.stderr : process.stdout).write(`${redact(line)}\n`);
  return {
    surface: 'cli',
    info: out,
    warn: (line) => process.stderr.write(`warning: ${redact(line)}\n`),
    diagnostic: (d) => process.stderr.write(`${redact(formatDiagnostic(d))}\n`),
    group: async (title, fn) => {
      out(`▸ ${title}`);
      return fn();
    },
    output: () => {},
    summary: async () => {},
  };
}

/** `file:line:col: error: message [path]`, the format editors and grep understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.path ? ` [${d.path}]` : '';
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${where}`;
}
