// A ReportSink that keeps everything, for tests that run commands in-process.
import type { ReportSink } from '../../src/report/sink.js';
import { formatDiagnostic } from '../../src/report/sink.js';

export interface CaptureSink extends ReportSink {
  lines: string[];
  outputs: Record<string, string>;
  summaries: string[];
  text(): string;
}

export function createCaptureSink(): CaptureSink {
  const lines: string[] = [];
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  return {
    surface: 'action',
    lines,
    outputs,
    summaries,
    info: (l) => void lines.push(l),
    warn: (l) => void lines.push(`warning: ${l}`),
    diagnostic: (d) => void lines.push(formatDiagnostic(d)),
    group: (_title, fn) => fn(),
    output: (name, value) => void (outputs[name] = value),
    summary: async (md) => void summaries.push(md),
    text: () => [...lines, ...summaries].join('\n'),
  };
}
