// Preview apps: a pull request's candidate runs in an app of its own, named after the definition and
// the pull request, so evals never touch a production or staging app or its draft. The description
// carries a marker (repository and pull request) by which `cleanup-previews` finds it again.
import type { ValidDefinition } from '../definition/types.js';
import type { AppSummary, DifyConsole } from '../dify/types.js';
import type { EvalEntry } from '../report/eval-summary.js';
import { describeError, UserError } from '../support/errors.js';
import { registerSecret } from '../support/redact.js';
import type { StageContext } from './context.js';
import type { EvalPolicy } from './eval-definition.js';
import { evaluateCandidate } from './evaluate.js';
import { importDraft } from './import-publish.js';
import { injectSecrets, prepareTarget } from './target.js';

const MARKER = 'dify-gitops preview of';

export interface PreviewRef {
  repository: string;
  pullNumber: number;
}

export const previewName = (definition: string, pr: number) => `${definition} (PR #${pr})`;

/** "dify-gitops preview of acme/flows#12: faq-bot" (Dify keeps at most 400 characters). */
export const previewDescription = (ref: PreviewRef, definition: string) =>
  `${MARKER} ${ref.repository}#${ref.pullNumber}: ${definition}`.slice(0, 400);

/** The pull request a preview app belongs to, when it is one of this repository's; else undefined. */
export function previewPullRequest(app: Pick<AppSummary, 'description'>, repository: string): number | undefined {
  const prefix = `${MARKER} ${repository}#`;
  if (!app.description.startsWith(prefix)) return undefined;
  const match = /^(\d+):/.exec(app.description.slice(prefix.length));
  return match ? Number(match[1]) : undefined;
}

export function previewLink(difyUrl: string, appId: string, mode: string): string {
  return `${difyUrl.replace(/\/+$/, '')}/app/${appId}/${mode === 'workflow' || mode === 'advanced-chat' ? 'workflow' : 'configuration'}`;
}

function consoleOnly<K extends 'listApps' | 'createApp' | 'deleteApp'>(dify: DifyConsole, method: K): NonNullable<DifyConsole[K]> {
  const fn = dify[method];
  if (!fn) {
    throw new UserError(
      'eval.unsupported',
      'Preview apps are created and deleted through the console API, which this sign-in cannot reach.',
      {
        hint: 'Give dify-email and dify-password (or a console token) besides the dfoa_ token.',
      },
    );
  }
  return fn.bind(dify) as NonNullable<DifyConsole[K]>;
}

/** The pull request's preview app for a definition: found by name and marker, else created. */
async function ensurePreviewApp(dify: DifyConsole, definition: ValidDefinition, ref: PreviewRef): Promise<AppSummary> {
  const name = previewName(definition.name, ref.pullNumber);
  const description = previewDescription(ref, definition.name);
  const found = (await consoleOnly(dify, 'listApps')(name)).find((app) => app.name === name && app.description === description);
  return found ?? consoleOnly(dify, 'createApp')({ name, mode: definition.dsl.app.mode, description });
}

/** eval on a pull request, in its preview app: the candidate runs there, live runs where it is. */
export async function evalInPreview(
  ctx: StageContext,
  item: { file: string; definition: ValidDefinition },
  policy: EvalPolicy & { difyUrl: string; preview: PreviewRef },
): Promise<EvalEntry> {
  const { definition } = item;
  const entry: EvalEntry = { name: definition.name, file: item.file, environment: ctx.environment };
  const log = (line: string) => ctx.sink.info(`[${definition.name}] ${line}`);
  if (ctx.cancel?.requested.aborted) return { ...entry, error: 'not started: the job was cancelled; nothing was written' };
  try {
    const target = prepareTarget(definition, ctx.environment, ctx.env);
    for (const value of target.secretValues) registerSecret(value);
    const preview = await ensurePreviewApp(ctx.dify, definition, policy.preview);
    entry.previewUrl = previewLink(policy.difyUrl, preview.id, definition.dsl.app.mode);
    // An import renames the app after the DSL's app block: keep the preview's name and marker there.
    const dsl = { ...target.dsl, app: { ...target.dsl.app, name: preview.name, description: preview.description } };
    const { yaml } = injectSecrets(definition.name, definition.secrets, dsl, ctx.env);
    await importDraft(ctx.dify, { ...target, appId: preview.id, dsl, yaml }, { allowVersionChange: policy.allowDslVersionChange });
    log(`candidate imported into the preview app ${preview.name} (${preview.id})`);
    // The preview's own key, for people trying it; never printed (and only useful once they publish it).
    if ((await ctx.dify.listApiKeys(preview.id)).length === 0) registerSecret((await ctx.dify.createApiKey(preview.id)).token);
    const live = await ctx.dify.getPublished(target.appId);
    entry.comparison = await evaluateCandidate(ctx, definition, preview.id, {
      live: live !== null,
      liveAppId: target.appId,
      log,
      concurrency: policy.caseConcurrency,
      signal: ctx.cancel?.requested,
    });
  } catch (error) {
    entry.error = describeError(error);
    log(`✗ ${entry.error}`);
  }
  return entry;
}

export interface CleanupResult {
  name: string;
  id: string;
  pullNumber: number;
  result: 'deleted' | 'kept' | 'failed';
  error?: string;
}

/** Deletes this repository's preview apps whose pull request is no longer open. */
export async function cleanupPreviews(
  dify: DifyConsole,
  repository: string,
  open: Set<number>,
  log: (line: string) => void,
): Promise<CleanupResult[]> {
  const apps = await consoleOnly(dify, 'listApps')('(PR #');
  const results: CleanupResult[] = [];
  for (const app of apps) {
    const pullNumber = previewPullRequest(app, repository);
    if (pullNumber === undefined || app.name !== previewName(app.description.slice(app.description.lastIndexOf(': ') + 2), pullNumber))
      continue;
    if (open.has(pullNumber)) {
      results.push({ name: app.name, id: app.id, pullNumber, result: 'kept' });
      continue;
    }
    try {
      await consoleOnly(dify, 'deleteApp')(app.id);
      log(`deleted ${app.name} (${app.id}): pull request #${pullNumber} is closed`);
      results.push({ name: app.name, id: app.id, pullNumber, result: 'deleted' });
    } catch (error) {
      results.push({ name: app.name, id: app.id, pullNumber, result: 'failed', error: describeError(error) });
    }
  }
  return results;
}
