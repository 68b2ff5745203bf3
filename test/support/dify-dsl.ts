// Dify app DSL fixtures. The project's own live in test/fixtures/dify-dsl/ (written for this
// project, in Dify's export format). Dify's real fixtures, when a checkout provides them beside the
// repository, are an extra layer: test/emulator/shared-fixtures.test.ts runs the same checks over them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DSL_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/dify-dsl/', import.meta.url));

/** Dify's own DSL fixtures, present when the checkout has a `shared` directory beside the repository. */
export const SHARED_DSL_FIXTURES_DIR = path.resolve(
  fileURLToPath(new URL('../../', import.meta.url)),
  '..',
  'shared',
  'fixtures',
  'dify-dsl',
);

/** The text of one of the project's own DSL fixtures. */
export function readDslFixture(name: string): string {
  return readFileSync(path.join(DSL_FIXTURES_DIR, name), 'utf8');
}

/** A workflow: Start (`query`, required text input) → End titled `End`, output `query`. App name `echo`. */
export const PASSTHROUGH = 'passthrough.yml';
/** A chatflow: an assigner writes `sys.query` to the conversation variable `last_message`; Answer echoes it. */
export const CHATFLOW = 'conversation-echo.yml';
/** A chatflow whose LLM node has no model chosen: imports, but cannot publish. */
export const LLM_CHATFLOW = 'llm-chat.yml';

export function dslFixtureFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

/** Every node type (data.type) in a parsed DSL, children of iterations and loops included. */
export function nodeTypes(dsl: unknown): string[] {
  const nodes = (dsl as { workflow?: { graph?: { nodes?: Array<{ data?: { type?: unknown } }> } } })?.workflow?.graph?.nodes ?? [];
  return nodes.map((n) => String(n?.data?.type));
}
