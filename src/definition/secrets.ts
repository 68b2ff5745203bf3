// Secrets never live in a definition: secret env variables are blank in the DSL and mapped to a
// deploy-time environment variable, and anything that looks like a credential is refused.
import type { Definition } from './types.js';
import { isRecord, type Reporter } from './diagnostics.js';
import { escapePointerToken } from './json-locate.js';

const ENV_POINTER = '/dsl/workflow/environment_variables';

interface CredentialPattern {
  kind: string;
  /** Sticky-free regex; group 1 = the whole credential, group 2 = its visible prefix. */
  re: RegExp;
  /** Extra test on the match to avoid flagging prose. */
  accept?: (credential: string) => boolean;
}

const CREDENTIAL_PATTERNS: CredentialPattern[] = [
  { kind: 'OpenAI-style API key', re: /(?<![A-Za-z0-9])((sk-)[A-Za-z0-9_-]{20,})/ },
  { kind: 'Dify app API key', re: /(?<![A-Za-z0-9])((app-)[A-Za-z0-9]{24})(?![A-Za-z0-9])/ },
  { kind: 'Dify account token', re: /(?<![A-Za-z0-9])((dfoa_)[A-Za-z0-9_-]{16,})/ },
  { kind: 'AWS access key id', re: /(?<![A-Za-z0-9])((AKIA)[0-9A-Z]{16})(?![0-9A-Z])/ },
  { kind: 'GitHub token', re: /(?<![A-Za-z0-9])((ghp_)[A-Za-z0-9]{30,})/ },
  // Prose like "Bearer authentication" has no digits; real tokens do.
  { kind: 'bearer token', re: /((Bearer\s+)[A-Za-z0-9._~+/=-]{20,})/, accept: (c) => /\d/.test(c) },
];

export interface CredentialMatch {
  kind: string;
  /** The credential with all but its prefix masked. */
  masked: string;
}

/** The first credential-looking substring of `text`, masked; undefined when none. */
export function findCredential(text: string): CredentialMatch | undefined {
  if (text.length < 20) return undefined;
  for (const { kind, re, accept } of CREDENTIAL_PATTERNS) {
    const m = re.exec(text);
    if (!m || (accept && !accept(m[1]))) continue;
    const visible = m[2].length + 4;
    return { kind, masked: `${m[1].slice(0, visible)}${'*'.repeat(8)}` };
  }
  return undefined;
}

const RUNNER_VARIABLES = /^(?:ACTIONS|GITHUB|RUNNER|INPUT)_/i;

/** Secret env variables are blank and mapped in `secrets`; `secrets` names only secret variables. */
export function checkSecrets(reporter: Reporter, definition: Definition, secretsShapeOk: boolean): void {
  const variables = definition.dsl.workflow?.environment_variables ?? [];
  const secrets = secretsShapeOk && isRecord(definition.secrets) ? definition.secrets : {};
  const declared = new Map<string, string>();
  variables.forEach((variable, i) => {
    if (!declared.has(variable.name)) declared.set(variable.name, variable.value_type);
    if (variable.value_type !== 'secret') return;
    const at = `${ENV_POINTER}/${i}`;
    if (variable.value !== '' && variable.value !== undefined && variable.value !== null) {
      reporter.error(
        `${at}/value`,
        `secret variable "${variable.name}" has a value in the DSL; set it to "" and supply the value at deploy time through "secrets" (then rotate the exposed secret)`,
      );
    }
    if (!Object.hasOwn(secrets, variable.name)) {
      reporter.error(
        at,
        `secret variable "${variable.name}" has no entry in "secrets"; add "${variable.name}": "<ENV_VAR_NAME>" naming the environment variable that holds its value at deploy time`,
      );
    }
  });
  for (const [name, source] of Object.entries(secrets)) {
    // A definition must not be able to ship the runner's own credentials (ACTIONS_RUNTIME_TOKEN,
    // GITHUB_TOKEN, inputs) into a Dify secret, where an HTTP node could send them anywhere.
    if (typeof source === 'string' && RUNNER_VARIABLES.test(source)) {
      reporter.error(
        `/secrets/${escapePointerToken(name)}`,
        `"secrets" maps "${name}" to ${source}, a variable of the GitHub runner itself; name a variable your workflow sets for this secret (e.g. "${name}": "${name}")`,
      );
    }
    const type = declared.get(name);
    if (type === 'secret') continue;
    reporter.errorAtKey(
      `/secrets/${escapePointerToken(name)}`,
      type === undefined
        ? `"secrets" maps "${name}", but the DSL declares no environment variable "${name}"; remove the entry or fix its name`
        : `"secrets" maps "${name}", but it is declared with value_type "${type}"; make it a secret variable in Dify or remove the entry`,
    );
  }
}

/** Walks every string (and property name) of a parsed file looking for credentials. */
export function scanForCredentials(reporter: Reporter, value: unknown, pointer: string): void {
  if (typeof value === 'string') {
    const found = findCredential(value);
    if (found) {
      reporter.error(
        pointer,
        `this value contains what looks like a credential (${found.kind}: ${found.masked}); remove it, rotate it, and pass it through a secret environment variable listed in "secrets"`,
      );
    }
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) scanForCredentials(reporter, item, `${pointer}/${i}`);
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      const at = `${pointer}/${escapePointerToken(key)}`;
      const found = findCredential(key);
      if (found)
        reporter.errorAtKey(
          at,
          `this property name looks like a credential (${found.kind}: ${found.masked}); remove it and rotate the credential`,
        );
      scanForCredentials(reporter, value[key], at);
    }
  }
}
