// The live suite's eval cases, run after the release cases on the same app and repository: a deploy
// whose candidate regresses a case is refused by its gate (nothing published, the draft put back),
// the fixed candidate passes and is released, and `eval` alone reports without changing the draft.
// Every run is start → end, so the outputs are known without a model provider.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatCanonical } from '../../src/definition/canonical.js';
import type { Definition } from '../../src/definition/types.js';
import type { CommandContext } from './conformance-releases.js';

interface EndOutput {
  value_selector: string[];
  value_type: string;
  variable: string;
}

/** Per side, as `deploy --json` and the eval report carry it. */
interface Side {
  cases: number;
  passed: number;
  passRate?: number;
  pass_rate?: number;
  tokens: number;
  p50_ms?: number;
  p95_ms?: number;
}

const CASES = [
  { name: 'echoes hello', inputs: { query: 'hello' }, expect: { equals: { query: 'hello' } } },
  { name: 'echoes world', inputs: { query: 'world' }, expect: { contains: { query: 'world' }, status: 'succeeded' as const } },
];

/** The /openapi era signs in with a dfoa_ token that has no draft run: deploys with evals are refused there before any write. */
const NO_DRAFT_RUN = 'the /openapi surface has no draft run, so evals cannot run there (refused early by design)';

export function describeEvalCases(get: () => CommandContext): void {
  const file = (name: string) => path.join(get().repo.dir, 'workflows', `${name}.json`);
  /** The definition as the repository holds it now, with the suite's eval cases and a strict gate. */
  const candidate = async (version: string, options: { regress?: boolean; title?: string } = {}): Promise<Definition> => {
    const current = JSON.parse(await readFile(file(get().name), 'utf8')) as Definition;
    const dsl = structuredClone(current.dsl);
    const end = dsl.workflow!.graph.nodes.find((n) => n.data.type === 'end')!;
    const outputs = (end.data as unknown as { outputs: EndOutput[] }).outputs;
    const query = outputs.find((o) => o.variable === 'query')!;
    const start = dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!;
    // The regression: `query` wired to the app's id instead of the input, so no echo case passes.
    query.value_selector = options.regress ? ['sys', 'app_id'] : [start.id, 'query'];
    if (options.title) end.data.title = options.title;
    return { ...current, version, dsl, evals: { cases: CASES, gates: { max_pass_rate_drop: 0, min_pass_rate: 1 } } };
  };
  const commit = (d: Definition) => get().repo.commit({ [`workflows/${d.name}.json`]: formatCanonical(d) }, `${d.name} ${d.version}`);
  /** The draft as Dify exports it: the restore must give it back byte for byte. */
  const draft = () => get().dify.exportDsl(get().app.id);
  const passRate = (s: Side) => s.passRate ?? s.pass_rate;

  it('a deploy whose candidate regresses a case is refused by its gate: nothing published, the draft put back', async (t) => {
    const { app, name, dify, cli } = get();
    if (dify.authMode === 'openapi') return t.skip(NO_DRAFT_RUN);
    const live = await dify.getPublished(app.id);
    const versions = (await dify.listVersions(app.id)).length;
    const before = await draft();
    await commit(await candidate('1.6.0', { regress: true }));
    const run = await cli(['deploy', '--all', '--workflows', name, '--json']);
    expect(run.code, run.stdout + run.stderr).not.toBe(0);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      outcomes: Array<{ name: string; result: string; evaluation?: { regressions: string[]; candidate: Side; live?: Side } }>;
    };
    const outcome = report.outcomes.find((o) => o.name === name)!;
    expect(outcome, run.stdout).toMatchObject({ result: 'failed' });
    expect(outcome.evaluation?.regressions.sort()).toEqual(CASES.map((c) => c.name).sort());
    expect(outcome.evaluation?.live).toMatchObject({ cases: 2, passed: 2 });
    expect(outcome.evaluation?.candidate).toMatchObject({ cases: 2, passed: 0 });
    expect(run.stderr).toMatch(/eval gate failed.*regressed: echoes (hello|world)/);
    const now = await dify.getPublished(app.id);
    expect(now?.id).toBe(live?.id);
    expect((await dify.listVersions(app.id)).length).toBe(versions);
    expect(await draft()).toBe(before);
  });

  it('the fixed candidate passes its gate, is published and tagged; per-case numbers come from the server', async (t) => {
    const { app, name, dify, cli, repo } = get();
    if (dify.authMode === 'openapi') return t.skip(NO_DRAFT_RUN);
    await commit(await candidate('1.6.1', { title: 'End v1.6.1' }));
    const run = await cli(['deploy', '--all', '--workflows', name, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      outcomes: Array<{
        name: string;
        evaluation: {
          passed: boolean;
          regressions: string[];
          candidate: Side;
          cases: Array<{ candidate: { elapsedMs: number; tokens?: number } }>;
        };
      }>;
    };
    const evaluation = report.outcomes.find((o) => o.name === name)!.evaluation;
    expect(evaluation, run.stdout).toMatchObject({ passed: true, regressions: [], candidate: { cases: 2, passed: 2 } });
    expect(passRate(evaluation.candidate)).toBe(1);
    for (const c of evaluation.cases) {
      // The server's elapsed time, in whole milliseconds: a start → end run may round to 0 on a fast server.
      expect(c.candidate.elapsedMs, run.stdout).toBeGreaterThanOrEqual(0);
      // No model runs in a start → end workflow: the server counts no tokens.
      expect(c.candidate.tokens).toBe(0);
    }
    expect((await dify.getPublished(app.id))?.marked_name).toMatch(/^1\.6\.1/);
    expect(await repo.git(['ls-remote', '--tags', 'origin'])).toContain(`refs/tags/${name}@v1.6.1`);
  });

  it('eval alone writes its report and leaves the draft as it was', async (t) => {
    const { app, name, dify, cli, repo } = get();
    if (dify.authMode === 'openapi') return t.skip(NO_DRAFT_RUN);
    const live = await dify.getPublished(app.id);
    const before = await draft();
    await commit(await candidate('1.7.0', { title: 'End v1.7.0' }));
    const reportFile = path.join(repo.dir, '..', 'live-eval-report.json');
    const run = await cli(['eval', '--workflow', name, '--report', reportFile]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as {
      ok: boolean;
      definitions: Array<{
        name: string;
        passed: boolean;
        candidate: Side;
        live: Side;
        cases: Array<{ name: string; candidate: { ms: number; tokens: number | null } }>;
      }>;
    };
    expect(report.ok).toBe(true);
    const [entry] = report.definitions;
    expect(entry).toMatchObject({
      name,
      passed: true,
      candidate: { cases: 2, passed: 2, pass_rate: 1, tokens: 0 },
      live: { pass_rate: 1 },
    });
    expect(entry.candidate).toMatchObject({ p50_ms: expect.any(Number), p95_ms: expect.any(Number) });
    expect(entry.cases.map((c) => c.name).sort()).toEqual(CASES.map((c) => c.name).sort());
    for (const c of entry.cases) expect(c.candidate).toMatchObject({ ms: expect.any(Number), tokens: 0 });
    expect(await draft()).toBe(before);
    expect((await dify.getPublished(app.id))?.id).toBe(live?.id);
  });
}
