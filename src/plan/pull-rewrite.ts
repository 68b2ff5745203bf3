// pull: a definition rewritten from its live app's exported draft, so an edit made in Dify's UI
// becomes a reviewable diff. The envelope stays (version, smoke checks, app ids); the DSL is
// replaced, secrets stay blank and declared, and dataset ids go back to their aliases.
import type { Definition } from '../definition/types.js';
import { adoptDsl } from '../definition/adopt.js';
import { mapDatasetIds } from '../definition/workflow-parts.js';
import { findCredential } from '../definition/secrets.js';

export class PullError extends Error {
  override name = 'PullError';
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

export interface PulledDefinition {
  definition: Definition;
  /** Things the reviewer must finish by hand (new secrets, unknown dataset ids). */
  warnings: string[];
}

export function rewriteFromExport(current: Definition, yaml: string, environment: string, sourceFile: string): PulledDefinition {
  // adoptDsl parses the export the way adopt does: aliases capped, secret values blanked and found.
  const adopted = adoptDsl(yaml, { name: current.name, app: current.app, sourceFile });
  const warnings: string[] = [];
  const leak = findCredentialIn(adopted.dsl, '/dsl');
  if (leak) {
    // Writing it would put the key in git history (and a pushed branch) before any review.
    throw new PullError(`The live app of ${current.name} holds what looks like a ${leak.kind} (${leak.masked}) at ${leak.pointer}; nothing was written.`, 'Remove it in Dify (use a secret environment variable instead), rotate the key, then pull again.');
  }
  const { dsl, unknown } = mapDatasetIds(adopted.dsl, current.datasets, environment);
  for (const id of unknown) {
    warnings.push(`Dataset id ${id} has no alias for ${environment}: add it under "datasets" and use the alias in the knowledge-retrieval node.`);
  }

  const declared = current.secrets ?? {};
  const live = Object.keys(adopted.secrets ?? {});
  const secrets: Record<string, string> = {};
  for (const name of live) {
    secrets[name] = declared[name] ?? name;
    if (!declared[name]) warnings.push(`New secret variable ${name}: declared as "secrets": {"${name}": "${name}"}; provide ${name} to the deploy job.`);
  }
  for (const name of Object.keys(declared)) {
    if (!live.includes(name)) warnings.push(`Secret ${name} is no longer a secret variable in the live app: removed from "secrets".`);
  }

  const definition: Definition = { ...current, dsl };
  if (current.secrets !== undefined || live.length) definition.secrets = secrets;
  return { definition, warnings };
}

/** The first string in `value` that looks like a credential, with its JSON pointer. */
function findCredentialIn(value: unknown, pointer: string): { kind: string; masked: string; pointer: string } | undefined {
  if (typeof value === 'string') {
    const found = findCredential(value);
    return found && { ...found, pointer };
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findCredentialIn(item, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (found) return found;
    }
  }
  return undefined;
}
