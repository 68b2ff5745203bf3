// What commands call after their outcomes are known: one webhook event per definition, sent with
// bounded fan-out, reported as one line; a webhook that cannot be delivered warns and nothing more.
import type { GitHubSettings, NotifySettings } from '../settings.js';
import type { ReportSink } from '../report/sink.js';
import type { DefinitionOutcome } from '../outcomes.js';
import type { Clock } from '../support/clock.js';
import { createSystemClock } from '../support/clock.js';
import { mapLimit } from '../support/concurrency.js';
import { redact } from '../support/redact.js';
import type { BackoffOptions } from '../support/retry.js';
import { createNotifier, type Delivery, type Notifier } from './notifier.js';
import { createEvent, describeOutcome, type EventFacts, type NotifyEventKind } from './payload.js';

export interface NotifyDeps {
  clock?: Clock;
  timeoutMs?: number;
  maxAttempts?: number;
  backoff?: Partial<BackoffOptions>;
  /** Per-attempt lines; debug log by default. */
  log?: (line: string) => void;
}

/** Where events go (none without a URL), whether this is a dry run, and the run they come from. */
export interface NotifyTarget {
  notify?: NotifySettings;
  dryRun?: boolean;
  github: Pick<GitHubSettings, 'runUrl' | 'repository' | 'sha'>;
}

/** Webhooks in flight at once: receivers are often small services behind a rate limit. */
const NOTIFY_CONCURRENCY = 4;

/** deploy and rollback: one event per definition outcome. Dry runs send nothing. */
export async function notifyOutcomes(
  target: NotifyTarget,
  outcomes: readonly DefinitionOutcome[],
  kind: NotifyEventKind,
  sink: ReportSink,
  deps: NotifyDeps = {},
): Promise<Delivery[]> {
  // would-deploy only exists in dry runs, which promise to change nothing anyone can see.
  const facts = outcomes.filter((o) => o.result !== 'would-deploy').map((o) => describeOutcome(o, kind));
  return notifyEvents(target, facts, sink, deps);
}

/** Any command (rotate-keys too): send the events, warn about the ones not delivered, never throw. */
export async function notifyEvents(
  { notify, dryRun, github }: NotifyTarget,
  facts: readonly EventFacts[],
  sink: ReportSink,
  deps: NotifyDeps = {},
): Promise<Delivery[]> {
  if (!notify || facts.length === 0) return [];
  if (dryRun) {
    sink.info(`Dry run: ${facts.length} webhook event(s) not sent.`);
    return [];
  }
  const clock = deps.clock ?? createSystemClock();
  const run = { runUrl: github.runUrl, repository: github.repository, commit: github.sha };
  let notifier: Notifier | undefined;
  try {
    notifier = createNotifier({
      ...notify,
      clock,
      timeoutMs: deps.timeoutMs,
      maxAttempts: deps.maxAttempts,
      backoff: deps.backoff,
      log: deps.log,
    });
    const deliveries = await mapLimit(facts, NOTIFY_CONCURRENCY, (f) =>
      notifier!.send(createEvent({ ...f, error: f.error === undefined ? undefined : redact(f.error) }, { ...run, now: clock.now() })),
    );
    reportDeliveries(facts, deliveries, sink);
    return deliveries;
  } catch (error) {
    // send() does not throw; this keeps the promise that a webhook never fails a deploy.
    sink.warn(
      `Webhook notifications failed: ${redact(error instanceof Error ? error.message : String(error))}. The ${facts[0].event} itself is not affected.`,
    );
    return [];
  } finally {
    await notifier?.close();
  }
}

function reportDeliveries(facts: readonly EventFacts[], deliveries: Delivery[], sink: ReportSink): void {
  const delivered = deliveries.filter((d) => d.delivered).length;
  if (delivered > 0) sink.info(`Webhook: delivered ${delivered} of ${deliveries.length} event(s).`);
  deliveries.forEach((d, i) => {
    if (d.delivered) return;
    const f = facts[i];
    sink.warn(
      `Webhook for ${f.event} of ${f.workflow} (${f.result}) not delivered after ${d.attempts} attempt(s): ${d.reason ?? 'no answer'}. ` +
        `The ${f.event} itself is not affected; check the receiver at notify-url.`,
    );
  });
}
