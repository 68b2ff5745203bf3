// Run the emulator on its own:
//   node --import tsx test/emulator/cli.ts --port 5001 [--email E --password P] [--auth cookie|bearer]
//        [--latency-ms N] [--seed workflows] [--openapi] [--require-header NAME=VALUE …] [--rules rules.json]
// --rules: a JSON object, app id → run rules (see README.md, Run rules), applied after seeding.
// Prints DIFY_EMULATOR_URL=… once listening, then the login, then seeded app ids; stops on SIGTERM/SIGINT.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { startEmulator, type Emulator, type EmulatorOptions, type RunRule } from './server.js';

interface SeedPlan {
  file: string;
  id: string;
  name: string;
  mode: string;
}

/** One app per environment id of each definition (`app` is an id or an environment → id map). */
function planSeeds(dir: string): SeedPlan[] {
  const plans: SeedPlan[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    try {
      const def = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        name?: string;
        app?: unknown;
        dsl?: { app?: { mode?: string; name?: string } };
        dsl_file?: string;
      };
      // A definition in the YAML form keeps its DSL in the .dify.yml it names, beside it.
      if (!def.dsl && typeof def.dsl_file === 'string') def.dsl = parseYaml(readFileSync(join(dir, def.dsl_file), 'utf8'));
      const mode = def.dsl?.app?.mode;
      const name = def.dsl?.app?.name ?? def.name ?? file.replace(/\.json$/, '');
      const ids = typeof def.app === 'string' ? [def.app] : def.app && typeof def.app === 'object' ? Object.values(def.app) : [];
      if (!mode || ids.length === 0) throw new Error('needs `app` and `dsl.app.mode`');
      for (const id of new Set(ids.map(String))) plans.push({ file, id, name, mode });
    } catch (error) {
      process.stderr.write(`skipping ${file}: ${(error as Error).message}\n`);
    }
  }
  return plans;
}

/** `NAME=VALUE` pairs (the value may itself hold `=`). */
function parseRequiredHeaders(pairs: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--require-header needs NAME=VALUE, got "${pair}"`);
    headers[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return headers;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5001' },
      email: { type: 'string' },
      password: { type: 'string' },
      auth: { type: 'string', default: 'cookie' },
      'latency-ms': { type: 'string', default: '0' },
      seed: { type: 'string' },
      openapi: { type: 'boolean', default: false },
      // As an access proxy in front of Dify: requests without this header (exact value) get 403.
      'require-header': { type: 'string', multiple: true, default: [] },
      rules: { type: 'string' },
    },
  });
  if (values.auth !== 'cookie' && values.auth !== 'bearer') throw new Error('--auth must be cookie or bearer');
  const options: EmulatorOptions = {
    port: Number(values.port),
    auth: values.auth,
    latencyMs: Number(values['latency-ms']),
    openapi: values.openapi,
    requireHeaders: parseRequiredHeaders(values['require-header']),
  };
  if (values.email) options.email = values.email;
  if (values.password) options.password = values.password;
  const emulator: Emulator = await startEmulator(options);
  // Before the first line is printed: whoever waits for a line may stop the emulator at once.
  const stop = (): void => {
    emulator.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`DIFY_EMULATOR_URL=${emulator.url}`);
  out(`DIFY_EMAIL=${options.email ?? 'admin@example.com'}`);
  out(`DIFY_PASSWORD=${options.password ?? 'dify-emulator-password'}`);
  if (values.openapi) out('DIFY_TOKEN=dfoa_emulator_token_0123456789');
  if (values.seed) {
    for (const plan of planSeeds(values.seed)) {
      try {
        const seeded = emulator.seedApp({ id: plan.id, name: plan.name, mode: plan.mode });
        out(`seeded ${plan.file}: app ${seeded.id} (${plan.mode}) api_key=${seeded.api_key}`);
      } catch (error) {
        process.stderr.write(`cannot seed ${plan.file}: ${(error as Error).message}\n`);
      }
    }
  }
  if (values.rules) {
    const byApp = JSON.parse(readFileSync(values.rules, 'utf8')) as Record<string, RunRule[]>;
    for (const [appId, rules] of Object.entries(byApp)) {
      emulator.scriptRules(appId, rules);
      out(`rules for app ${appId}: ${rules.length}`);
    }
  }
}

main().catch((error: Error) => {
  process.stderr.write(`dify emulator: ${error.message}\n`);
  process.exit(1);
});
