// Building the two boundaries from settings: one Dify session shared by every definition,
// and a GitHub client only when a token and repository are given.
import type { CommonSettings, GitHubSettings } from '../settings.js';
import type { ReportSink } from '../report/sink.js';
import type { DifyConsole, DifyService } from '../dify/types.js';
import { createDifyConsole, createDifyService } from '../dify/client.js';
import { createPacer } from '../dify/index.js';
import { createSystemClock } from '../support/clock.js';
import { createGitHub, type GitHub } from '../git/github.js';
import { UserError } from '../support/errors.js';
import type { Cancellation } from '../support/cancellation.js';
import { createVariableLedgerStore } from '../rotation/ledger-store.js';
import type { StageContext } from './context.js';

/** The Dify settings a command needs, or the one message that says how to give them. */
export function requireDify(settings: Pick<CommonSettings, 'dify' | 'surface'>): NonNullable<CommonSettings['dify']> {
  const dify = settings.dify;
  if (!dify) {
    throw new UserError(
      'usage',
      settings.surface === 'action'
        ? 'Input "dify-url" is required for this command, with dify-email + dify-password or dify-token.'
        : 'DIFY_URL is not set: export DIFY_URL and DIFY_EMAIL + DIFY_PASSWORD (or DIFY_TOKEN).',
    );
  }
  return dify;
}

export async function connectDify(
  settings: Pick<CommonSettings, 'dify' | 'surface'>,
  sink: ReportSink,
  /** Once aborted, every request of both clients is abandoned (a cancelled job out of time). */
  signal?: AbortSignal,
): Promise<{ console: DifyConsole; service: (apiKey: string) => DifyService }> {
  const dify = requireDify(settings);
  const connection = {
    baseUrl: dify.url,
    email: dify.email,
    password: dify.password,
    token: dify.token,
    timeoutMs: dify.timeoutMs,
    maxAttempts: 3,
    passwordEncoding: dify.passwordEncoding,
    headers: dify.headers,
  };
  // One pace for the whole run: a Retry-After met by a smoke check or an eval run holds back the console too.
  const pacer = createPacer(createSystemClock());
  const console = await createDifyConsole(connection, { signal, pacer });
  sink.info(`Signed in to ${dify.url} (${console.authMode} auth).`);
  const serviceUrl = `${dify.url}/v1`;
  return {
    console,
    service: (apiKey) =>
      createDifyService({ serviceUrl, apiKey, timeoutMs: dify.timeoutMs, maxAttempts: 3, headers: dify.headers }, { signal, pacer }),
  };
}

export function connectGitHub(github: GitHubSettings): GitHub | undefined {
  const { token, repository, apiUrl } = github;
  return token && repository ? createGitHub({ token, repository, apiUrl }) : undefined;
}

/**
 * The context the deploy and eval stages share: Dify (the console, and service clients per app key),
 * GitHub when a token is given, and the key ledger smoke checks read their newest key from (lazily
 * and best-effort: a token without variables access means none), connected in one log group.
 */
export async function connectStages(
  settings: Pick<CommonSettings, 'dify' | 'surface' | 'github' | 'environment' | 'root'>,
  run: Pick<StageContext, 'git' | 'sink' | 'commit' | 'env' | 'smokeRetryBudget' | 'clock'> & {
    cancel: Cancellation;
    stateVariable: string;
  },
): Promise<StageContext> {
  const { sink, cancel, stateVariable, ...rest } = run;
  const connected = await sink.group('Connect', async () => {
    const dify = await connectDify(settings, sink, cancel.expired);
    const github = connectGitHub(settings.github);
    const keyLedger = github ? createVariableLedgerStore(github, stateVariable) : undefined;
    return { dify: dify.console, service: dify.service, github, keyLedger };
  });
  return {
    environment: settings.environment,
    root: settings.root,
    runUrl: settings.github.runUrl,
    surface: settings.surface,
    sink,
    cancel,
    ...rest,
    ...connected,
  };
}
