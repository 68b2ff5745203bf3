// A ReportSink that keeps everything, for tests that run commands in-process.
import type { ReportSink } from '../../src/report/sink.js';
import { formatDiagnostic } from '../../src/report/sink.js';

export interface CaptureSink extends ReportSink {
  /** Everything printed, warnings included (as "warning: …"). */
  lines: string[];
  /** Only the warnings, as given. */
  warnings: string[];
  outputs: Record<string, string>;
  summaries: string[];
  text(): string;
}

export function createCaptureSink(): CaptureSink {
  const lines: string[] = [];
  const warnings: string[] = [];
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  return {
    surface: 'action',
    lines,
    warnings,
    outputs,
    summaries,
    info: (l) => void lines.push(l),
    warn: (l) => {
      warnings.push(l);
      lines.push(`warning: ${l}`);
    },
    diagnostic: (d) => void lines.push(formatDiagnostic(d)),
    group: (_title, fn) => fn(),
    output: (name, value) => void (outputs[name] = value),
    summary: async (md) => void summaries.push(md),
    /** All of it, outputs and summaries included: what a leak check must search. */
    text: () => [...lines, ...summaries, ...Object.entries(outputs).map(([n, v]) => `${n}=${v}`)].join('\n'),
  };
}
