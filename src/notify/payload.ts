// The JSON body of a webhook: one event per definition and run, flat so that a chat bot or an
// incident tool can route on `event` and `result` without knowing our other types.
import type { DefinitionOutcome } from '../outcomes.js';

export type NotifyEventKind = 'deploy' | 'rollback' | 'rotation';

export interface NotifyEvent {
  event: NotifyEventKind;
  /** The definition's name (the Dify workflow), e.g. `faq-bot`. */
  workflow: string;
  version: string;
  environment: string;
  /** deploy/rollback: a DefinitionOutcome result (deployed, skipped, rolled-back, failed, restore-failed); rotation: rotated or failed. */
  result: string;
  /** The release tag live after this event, when there is one. */
  tag?: string;
  /** The GitHub Actions run that did it. */
  runUrl?: string;
  /** When the event happened (ISO 8601, UTC). */
  timestamp: string;
  /** owner/name of the repository holding the definitions. */
  repository?: string;
  commit?: string;
  /** Why it failed, redacted, when it failed. */
  error?: string;
}

/** What a command knows about an event; the run's facts are added by `notifyEvents`. */
export type EventFacts = Omit<NotifyEvent, 'timestamp' | 'runUrl' | 'repository' | 'commit'>;

export interface RunFacts {
  runUrl?: string;
  repository?: string;
  commit?: string;
  /** Milliseconds since the epoch. */
  now: number;
}

export function createEvent(facts: EventFacts, run: RunFacts): NotifyEvent {
  // Undefined fields are dropped so the body carries only what is known.
  const event: NotifyEvent = {
    ...facts,
    runUrl: run.runUrl,
    timestamp: new Date(run.now).toISOString(),
    repository: run.repository,
    commit: run.commit,
  };
  return JSON.parse(JSON.stringify(event)) as NotifyEvent;
}

export function describeOutcome(outcome: DefinitionOutcome, kind: NotifyEventKind): EventFacts {
  return {
    event: kind,
    workflow: outcome.name,
    version: outcome.version,
    environment: outcome.environment,
    result: outcome.result,
    tag: outcome.tag ?? outcome.restoredTo,
    error: outcome.error,
  };
}
