// `npm run bench [-- --json]`: the performance targets, measured side by side in one run.
// Ratios (not absolute times) are the targets, so the numbers mean the same on any machine.
import { mkdtemp, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDefinitionText } from '../src/definition/load.js';
import { validateDefinitions } from '../src/definition/validate.js';
import { runDeploy } from '../src/commands/deploy.js';
import { runEval } from '../src/commands/eval.js';
import { createGit } from '../src/git/git.js';
import { readActionSettings } from '../src/settings.js';
import { settingsFor } from '../test/support/settings.js';
import type { Definition } from '../src/definition/types.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD } from '../test/support/deploy-world.js';
import { createTempRepo } from '../test/support/git-repo.js';
import { startRemoteEmulator } from '../test/support/remote-emulator.js';
import { formatCanonical } from '../src/definition/canonical.js';
import { stringifyPyYaml } from '../src/support/pyyaml.js';
import { createCaptureSink } from '../test/support/capture-sink.js';
import { REPO_ROOT, spawnNode } from '../test/support/run-action.js';

const json = process.argv.includes('--json');
const log = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
const LATENCY_MS = 50;

async function validateThroughput(): Promise<number> {
  const dir = path.join(REPO_ROOT, 'workflows');
  const texts = await Promise.all(
    (await readdir(dir))
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((n) => readFile(path.join(dir, n), 'utf8')),
  ).then((all) => all.filter((text) => 'dsl' in JSON.parse(text))); // the inline form: no sibling file to read
  // 1,000 distinct definitions of fixture size: unique names and app ids, so no cross-file errors.
  const files = Array.from({ length: 1000 }, (_, i) => {
    const d = JSON.parse(texts[i % texts.length]) as Definition;
    d.name = `wf-${i}`;
    d.app = { '*': `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` };
    return { file: `workflows/wf-${i}.json`, text: JSON.stringify(d, null, 2) + '\n' };
  });
  const run = () => validateDefinitions(files.map((f) => parseDefinitionText(f.file, f.text)));
  run(); // warm up ajv compilation and the JIT
  const started = performance.now();
  const report = run();
  const seconds = (performance.now() - started) / 1000;
  if (!report.ok) throw new Error(`bench definitions do not validate: ${JSON.stringify(report.files.find((f) => !f.ok)?.errors[0])}`);
  return files.length / seconds;
}

/**
 * `node dist/index.js` (validate on an empty folder) against `node -e 0`, alternated in one run so
 * both see the same machine load: the ratio is what the bundle adds to starting Node at all.
 */
async function coldStart(): Promise<{ ms: number; nodeMs: number; ratio: number }> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'cold-'));
  await mkdir(path.join(workspace, 'workflows'));
  const env = { PATH: process.env.PATH ?? '', GITHUB_WORKSPACE: workspace, INPUT_COMMAND: 'validate' };
  const time = async (args: string[]) => {
    const started = performance.now();
    const r = await spawnNode(args, workspace, env, 30_000);
    if (r.code !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
    return performance.now() - started;
  };
  const bundle: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < 11; i++) {
      const [b, n] = [await time([path.join(REPO_ROOT, 'dist/index.js')]), await time(['-e', '0'])];
      // The first pair warms the file cache.
      if (i > 0) {
        bundle.push(b);
        bare.push(n);
      }
    }
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
  const [ms, nodeMs] = [median(bundle), median(bare)];
  return { ms, nodeMs, ratio: ms / nodeMs };
}

/**
 * Deploys `count` changed definitions at `concurrency`; returns wall time and Dify requests made.
 * The emulator runs in its own process, as Dify would, so its CPU is not charged to the deploy.
 */
async function timeDeploy(count: number, concurrency: number, options: { again?: boolean } = {}) {
  const emulator = await startRemoteEmulator({ email: EMAIL, password: PASSWORD, latencyMs: LATENCY_MS });
  const repo = await createTempRepo();
  try {
    const defs = Array.from({ length: count }, (_, i) =>
      echoDefinition(`wf-${i}`, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
    );
    for (const d of defs)
      await emulator.seedApp({ id: Object.values(d.app)[0], mode: d.dsl.app.mode, name: d.dsl.app.name, dsl: stringifyPyYaml(d.dsl) });
    const files: Record<string, string> = {};
    for (const d of defs) files[`workflows/${d.name}.json`] = formatCanonical(d);
    await repo.commit(files, 'definitions');
    if (options.again) await deploy(repo.dir, emulator.url, concurrency);
    const before = (await emulator.state()).requests.length;
    const started = performance.now();
    const result = await deploy(repo.dir, emulator.url, concurrency);
    const ms = performance.now() - started;
    // The run's sign-in (the server probe and the login) is shared by every definition, not one's cost.
    const signIn = (path: string) => path.endsWith('/login') || path.endsWith('/system-features');
    const requests = (await emulator.state()).requests.slice(before).filter((r) => !signIn(r.path)).length;
    return { ms, requestsPerDefinition: requests / count, exitCode: result.exitCode };
  } finally {
    await Promise.all([emulator.close(), repo.cleanup()]);
  }
}

function deploy(dir: string, url: string, concurrency: number, extra: Record<string, string> = {}) {
  const env = {
    GITHUB_WORKSPACE: dir,
    INPUT_COMMAND: 'deploy',
    INPUT_ALL: 'true',
    INPUT_CONCURRENCY: String(concurrency),
    'INPUT_DIFY-URL': url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_BACKUP-DIR': path.join(dir, '..', 'backups'),
    ...extra,
  };
  const settings = settingsFor(readActionSettings(env), 'deploy');
  return runDeploy(settings, settings.options, { git: createGit(dir), sink: createCaptureSink(), env });
}

/**
 * One definition's eval with `count` cases, `concurrency` at a time per side (candidate by draft run,
 * live by the service API, both at once), on the same remote emulator: the eval fan-out.
 */
async function timeEval(count: number, concurrency: number) {
  const emulator = await startRemoteEmulator({ email: EMAIL, password: PASSWORD, latencyMs: LATENCY_MS });
  const repo = await createTempRepo();
  try {
    const d = echoDefinition('graded', '00000000-0000-4000-8000-0000000000e1');
    d.evals = {
      cases: Array.from({ length: count }, (_, i) => ({
        name: `case ${i}`,
        inputs: { query: `q${i}` },
        expect: { equals: { query: `q${i}` } },
      })),
    };
    await emulator.seedApp({
      id: Object.values(d.app)[0],
      mode: d.dsl.app.mode,
      name: d.dsl.app.name,
      dsl: stringifyPyYaml(d.dsl),
      published: true,
    });
    await repo.commit({ [`workflows/${d.name}.json`]: formatCanonical(d) }, 'definitions');
    const env = {
      GITHUB_WORKSPACE: repo.dir,
      INPUT_COMMAND: 'eval',
      INPUT_ALL: 'true',
      'INPUT_EVAL-CONCURRENCY': String(concurrency),
      'INPUT_DIFY-URL': emulator.url,
      'INPUT_DIFY-EMAIL': EMAIL,
      'INPUT_DIFY-PASSWORD': PASSWORD,
      'INPUT_BACKUP-DIR': path.join(repo.dir, '..', 'backups'),
      'INPUT_EVAL-REPORT': path.join(repo.dir, '..', 'eval.json'),
    };
    const settings = settingsFor(readActionSettings(env), 'eval');
    const started = performance.now();
    const result = await runEval(settings, settings.options, { git: createGit(repo.dir), sink: createCaptureSink(), env });
    return { ms: performance.now() - started, exitCode: result.exitCode };
  } finally {
    await Promise.all([emulator.close(), repo.cleanup()]);
  }
}

/** Failing smoke check → verified restore, against one import+publish+smoke round trip (from the emulator's clock). */
async function rollbackRatio(): Promise<{ ratio: number; roundTripMs: number; restoreMs: number }> {
  const world = await createDeployWorld({ latencyMs: LATENCY_MS });
  const A = '00000000-0000-4000-8000-00000000000a';
  try {
    const v1 = echoDefinition('wf', A);
    world.seed(v1, { draft: true });
    await world.commit([v1]);
    let mark = world.emulator.state().requests.length;
    if ((await deploy(world.repo.dir, world.emulator.url, 1)).exitCode !== 0) throw new Error('v1 deploy failed');
    const round = span(
      world.emulator.state().requests.slice(mark),
      (r) => r.path === '/console/api/apps/imports',
      (r) => r.path === '/v1/workflows/run',
    );
    const v2 = echoDefinition('wf', A, '1.1.0');
    v2.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Start v2';
    v2.smoke = [{ name: 'impossible', inputs: { query: 'x' }, expect: { contains: { query: 'never' } } }];
    await world.commit([v2]);
    mark = world.emulator.state().requests.length;
    await deploy(world.repo.dir, world.emulator.url, 1, { 'INPUT_SMOKE-RETRIES': '0' });
    const requests = world.emulator.state().requests.slice(mark);
    const runs = requests.filter((r) => r.path === '/v1/workflows/run');
    if (runs.length !== 2) throw new Error(`expected a failing and a restoring smoke run, saw ${runs.length}`);
    // From the end of the failing run (its log entry's time plus latency) to the end of the restore's run.
    const restoreMs = runs[1].at - runs[0].at;
    return { ratio: restoreMs / round, roundTripMs: round, restoreMs };
  } finally {
    await world.cleanup();
  }
}

function span<T extends { at: number }>(entries: T[], first: (e: T) => boolean, last: (e: T) => boolean): number {
  const a = entries.find(first);
  const b = [...entries].reverse().find(last);
  if (!a || !b) throw new Error('round trip not found in the request log');
  return b.at - a.at + LATENCY_MS;
}

/** dist/index.js (what every run compiles) and every JavaScript file of dist/ (what the action ships). */
async function bundleSize(): Promise<{ main: number; total: number }> {
  const dist = path.join(REPO_ROOT, 'dist');
  const files = (await readdir(dist)).filter((name) => name.endsWith('.js') || name.endsWith('.cjs'));
  const sizes = await Promise.all(files.map(async (name) => [name, (await stat(path.join(dist, name))).size] as const));
  return { main: sizes.find(([name]) => name === 'index.js')?.[1] ?? 0, total: sizes.reduce((sum, [, size]) => sum + size, 0) };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  log(`dify-gitops benchmarks (Node ${process.version}, emulator latency ${LATENCY_MS} ms per request)\n`);
  const validatePerS = await validateThroughput();
  const cold = await coldStart();
  const bundle = await bundleSize();
  const one = await timeDeploy(1, 1);
  const fanout = await timeDeploy(32, 32);
  const sequential = await timeDeploy(32, 1);
  const unchanged = await timeDeploy(32, 32, { again: true });
  const rollback = await rollbackRatio();
  const evalOne = await timeEval(1, 1);
  const evalFanout = await timeEval(32, 32);
  for (const r of [one, fanout, sequential, unchanged, evalOne, evalFanout])
    if (r.exitCode !== 0) throw new Error('a benchmark deploy failed');
  const results = {
    validate_per_s: Math.round(validatePerS),
    cold_start_ms: Math.round(cold.ms),
    cold_start_ratio: round2(cold.ratio),
    bundle_main_bytes: bundle.main,
    bundle_total_bytes: bundle.total,
    fanout_ratio: round2(fanout.ms / one.ms),
    sequential_ratio: round2(sequential.ms / one.ms),
    rollback_ratio: round2(rollback.ratio),
    eval_fanout_ratio: round2(evalFanout.ms / evalOne.ms),
    requests_changed: round2(fanout.requestsPerDefinition),
    requests_unchanged: round2(unchanged.requestsPerDefinition),
  };
  const rows: Array<[string, string, string, string]> = [
    ['validation throughput', `${results.validate_per_s} definitions/s`, '≥ 1000', pass(results.validate_per_s >= 1000)],
    [
      'cold start: node dist/index.js vs node -e 0',
      `${results.cold_start_ratio}× (${results.cold_start_ms} ms vs ${Math.round(cold.nodeMs)} ms, medians of 10)`,
      '≤ 2×',
      pass(results.cold_start_ratio <= 2),
    ],
    [
      'bundle: dist/index.js (all of dist/*.js)',
      `${mb(results.bundle_main_bytes)} (${mb(results.bundle_total_bytes)})`,
      '≤ 1.5 MB',
      pass(results.bundle_main_bytes <= 1.5 * 1024 * 1024),
    ],
    [
      'fan-out: 32 changed, concurrency 32 vs 1 definition',
      `${results.fanout_ratio}× (${Math.round(fanout.ms)} ms vs ${Math.round(one.ms)} ms)`,
      '≤ 1.5×',
      pass(results.fanout_ratio <= 1.5),
    ],
    ['sequential: 32 changed, concurrency 1 (contrast)', `${results.sequential_ratio}× (${Math.round(sequential.ms)} ms)`, '≈ 32×', ''],
    [
      'rollback: failing check → verified restore',
      `${results.rollback_ratio}× (${rollback.restoreMs} ms vs ${rollback.roundTripMs} ms round trip)`,
      '≤ 1.5×',
      pass(results.rollback_ratio <= 1.5),
    ],
    [
      'eval fan-out: 32 cases, concurrency 32 vs 1 case',
      `${results.eval_fanout_ratio}× (${Math.round(evalFanout.ms)} ms vs ${Math.round(evalOne.ms)} ms)`,
      '≤ 1.5×',
      pass(results.eval_fanout_ratio <= 1.5),
    ],
    ['requests per changed definition', String(results.requests_changed), 'minimal', ''],
    ['requests per unchanged definition', String(results.requests_unchanged), '≤ 2', pass(results.requests_unchanged <= 2)],
  ];
  const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) log(`${r[0].padEnd(width[0])}  ${r[1].padEnd(width[1])}  ${r[2].padEnd(width[2])}  ${r[3]}`);
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const pass = (ok: boolean) => (ok ? 'ok' : 'MISSED');

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
