// `dify-gitops doctor`: the preflight a user runs before the first deploy. It writes nothing: it asks
// the server what it is, logs in once, and for every definition checks what a deploy to this
// environment will need (the app, its mode, its service API, room for one more API key, plugins).
import { inspectDifyServer } from '../dify/index.js';
import { Outputs } from '../inputs.js';
import type { DifyConsole, PluginDependency } from '../dify/types.js';
import type { RunOutcome } from '../outcomes.js';
import { type DoctorCheck, renderDoctorSummary } from '../report/doctor-summary.js';
import type { ReportSink } from '../report/sink.js';
import { loadNamedDefinitions, type NamedDefinition } from '../selection.js';
import type { CommonSettings, DoctorOptions } from '../settings.js';
import { connectDify, requireDify } from '../stages/connect.js';
import { resolveAppId } from '../stages/target.js';
import { describeError, isUserError } from '../support/errors.js';

/** Dify's cap on API keys per app (controllers/console/apikey.py); rotation needs one free. */
const KEY_CAP = 10;
/** A token that stops working within this many days gets a warning. */
const TOKEN_WARN_DAYS = 14;
const ROLES_THAT_DEPLOY = ['owner', 'admin', 'editor'];

export async function runDoctor(
  settings: Pick<CommonSettings, 'root' | 'workflowsDir' | 'environment' | 'dify' | 'surface'>,
  _options: DoctorOptions,
  deps: { sink: ReportSink },
): Promise<RunOutcome> {
  const { sink } = deps;
  const dify = requireDify(settings);
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => {
    checks.push(check);
    const line = `${check.status === 'ok' ? '✓' : check.status === 'warn' ? '!' : '✗'} ${check.subject}: ${check.check} — ${check.detail}`;
    if (check.status === 'ok') sink.info(line);
    else sink.warn(line);
  };

  // 1. The server, before any credential is sent.
  let server: Awaited<ReturnType<typeof inspectDifyServer>> | undefined;
  try {
    server = await inspectDifyServer(dify.url, dify.timeoutMs, { headers: dify.headers });
    const surfaces = [server.console !== 'unknown' ? `console (${server.console})` : 'console', ...(server.openapi ? ['openapi'] : [])];
    add({
      subject: 'server',
      check: 'reachable',
      status: server.version ? 'ok' : 'warn',
      detail: server.version
        ? `Dify ${server.version}; ${surfaces.join(', ')}`
        : `answers, but names no version (a proxy may strip X-Version); ${surfaces.join(', ')}`,
    });
  } catch (error) {
    add({ subject: 'server', check: 'reachable', status: 'fail', detail: describeError(error) });
    return finish(sink, checks, settings.environment, server);
  }

  // 2. Credentials: one login, which spends at most one counted failed attempt.
  let console: DifyConsole;
  try {
    console = (await connectDify(settings, sink)).console;
    add({
      subject: 'credentials',
      check: 'sign in',
      status: 'ok',
      detail: `${console.authMode} auth${console.passwordEncoding ? `, ${console.passwordEncoding} password` : ''}`,
    });
  } catch (error) {
    add({ subject: 'credentials', check: 'sign in', status: 'fail', detail: describeError(error) });
    return finish(sink, checks, settings.environment, server);
  }

  try {
    await checkAccess(console, add);
    const { definitions, unreadable } = await loadNamedDefinitions(settings, 'all');
    for (const u of unreadable) add({ subject: u.name, check: 'definition', status: 'fail', detail: u.error, file: u.file });
    for (const named of definitions) await checkDefinition(console, named, settings.environment, add);
  } finally {
    await console.close?.();
  }
  return finish(sink, checks, settings.environment, server);
}

async function checkAccess(console: DifyConsole, add: (c: DoctorCheck) => void): Promise<void> {
  try {
    const access = await console.describeAccess();
    const role = access.role ?? 'unknown';
    add({
      subject: 'account',
      check: 'role',
      status: !access.role ? 'warn' : !ROLES_THAT_DEPLOY.includes(role) ? 'fail' : role === 'editor' ? 'warn' : 'ok',
      detail:
        role === 'editor'
          ? `editor in ${access.workspaceName ?? 'the workspace'}: deploys work; deleting old API keys (rotate-keys) needs admin`
          : !ROLES_THAT_DEPLOY.includes(role) && access.role
            ? `${role} in ${access.workspaceName ?? 'the workspace'}: deploying needs editor or above`
            : `${role} in ${access.workspaceName ?? 'the workspace'}`,
    });
    if (access.tokenExpiresAt) {
      const days = Math.floor((access.tokenExpiresAt * 1000 - Date.now()) / 86_400_000);
      add({
        subject: 'account',
        check: 'token expiry',
        status: days < 0 ? 'fail' : days < TOKEN_WARN_DAYS ? 'warn' : 'ok',
        detail: `${new Date(access.tokenExpiresAt * 1000).toISOString().slice(0, 10)} (${days < 0 ? 'expired' : `in ${days} days`})`,
      });
    }
  } catch (error) {
    add({ subject: 'account', check: 'role', status: 'warn', detail: `could not be read: ${describeError(error)}` });
  }
}

async function checkDefinition(
  console: DifyConsole,
  named: NamedDefinition,
  environment: string,
  add: (c: DoctorCheck) => void,
): Promise<void> {
  const { definition, file } = named;
  const at = (path: string) => ({ file: file.file, path, ...file.locate?.(path) });
  const subject = definition.name;
  let appId: string;
  try {
    appId = resolveAppId(definition, environment);
  } catch (error) {
    add({ subject, check: 'app for environment', status: 'fail', detail: describeError(error), ...at('/app') });
    return;
  }
  let app: Awaited<ReturnType<DifyConsole['getApp']>>;
  try {
    app = await console.getApp(appId);
  } catch (error) {
    const missing = isUserError(error) && (error.details as { status?: number }).status === 404;
    add({
      subject,
      check: 'app exists',
      status: 'fail',
      detail: missing ? `no app ${appId} in this workspace (create it in Dify, or fix the id)` : describeError(error),
      ...at('/app'),
    });
    return;
  }
  add({ subject, check: 'app exists', status: 'ok', detail: `${app.name} (${appId})` });
  const wanted = definition.dsl.app.mode;
  add({
    subject,
    check: 'mode',
    status: app.mode === wanted ? 'ok' : 'fail',
    detail:
      app.mode === wanted ? wanted : `the app is ${app.mode}, the definition is ${wanted}: Dify would import it anyway and corrupt the app`,
    ...(app.mode === wanted ? {} : at('/dsl/app/mode')),
  });
  if (app.enable_api !== undefined) {
    add({
      subject,
      check: 'service API',
      status: app.enable_api || !definition.smoke?.length ? 'ok' : 'fail',
      detail: app.enable_api ? 'enabled' : 'disabled: smoke checks cannot run (enable it in Dify: app → API Access)',
    });
  }
  try {
    const keys = await console.listApiKeys(appId);
    add({
      subject,
      check: 'API-key headroom',
      status: keys.length >= KEY_CAP ? 'fail' : keys.length >= KEY_CAP - 2 ? 'warn' : 'ok',
      detail: `${keys.length} of ${KEY_CAP} keys in use${keys.length >= KEY_CAP ? ': rotate-keys cannot add one; delete unused keys' : ''}`,
    });
  } catch (error) {
    add({ subject, check: 'API-key headroom', status: 'warn', detail: `unknown: ${describeError(error)}` });
  }
  const dependencies = (definition.dsl.dependencies ?? []).filter((d): d is PluginDependency => typeof d === 'object' && d !== null);
  if (dependencies.length) {
    try {
      const missing = await console.missingPlugins(appId, dependencies);
      add({
        subject,
        check: 'plugins',
        status: missing.length ? 'fail' : 'ok',
        detail: missing.length
          ? `not installed: ${missing.map((d) => JSON.stringify(d.value ?? d)).join(', ')}`
          : `${dependencies.length} installed`,
        ...(missing.length ? at('/dsl/dependencies') : {}),
      });
    } catch (error) {
      add({ subject, check: 'plugins', status: 'warn', detail: `could not be read: ${describeError(error)}` });
    }
  }
}

async function finish(
  sink: ReportSink,
  checks: DoctorCheck[],
  environment: string,
  server: Awaited<ReturnType<typeof inspectDifyServer>> | undefined,
): Promise<RunOutcome> {
  for (const c of checks) {
    if (c.file && c.status !== 'ok') {
      sink.diagnostic({
        file: c.file,
        path: c.path ?? '',
        line: c.line ?? 1,
        column: c.column ?? 1,
        severity: c.status === 'fail' ? 'error' : 'warning',
        message: `doctor: ${c.check}: ${c.detail}`,
      });
    }
  }
  const failed = checks.filter((c) => c.status === 'fail');
  await sink.summary(renderDoctorSummary(checks, environment));
  sink.output(Outputs.healthy, String(failed.length === 0));
  return {
    exitCode: failed.length ? 1 : 0,
    json: { ok: failed.length === 0, environment, server, checks },
    failure: failed.length
      ? `dify-gitops doctor: ${failed.length} check(s) failed: ${failed.map((c) => `${c.subject} ${c.check}`).join(', ')}`
      : undefined,
  };
}
