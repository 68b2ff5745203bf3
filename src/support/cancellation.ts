// A cancelled job, as two signals passed down to the stages. GitHub cancels a step with SIGINT,
// sends SIGTERM about 7.5 s later and SIGKILL about 2.5 s after that: enough to undo a half-done
// deploy and say what is left, if nothing new is started and the report keeps its last seconds.

export interface Cancellation {
  /** Aborted at the first SIGINT or SIGTERM: start nothing new; roll back what is published but unverified. */
  readonly requested: AbortSignal;
  /** Aborted when the time left is needed for the report: even a rollback in progress is abandoned. */
  readonly expired: AbortSignal;
}

export interface CancellationTimes {
  /** From the first signal until `expired`: GitHub's SIGKILL comes about 10 s after its SIGINT. */
  graceMs: number;
  /** After a second signal, what is left is at most this (the runner's SIGTERM leaves about 2.5 s). */
  lastWordMs: number;
}

export const CANCELLATION_TIMES: CancellationTimes = { graceMs: 8000, lastWordMs: 1500 };

/** A cancellation nothing ever triggers (commands and tests that do not listen for signals). */
export const NEVER_CANCELLED: Cancellation = {
  requested: new AbortController().signal,
  expired: new AbortController().signal,
};

export interface CancellationSource extends Cancellation {
  /** Called for each signal received: the first requests, later ones shorten the time left. */
  cancel(why: string): void;
  dispose(): void;
}

export function createCancellation(times: CancellationTimes = CANCELLATION_TIMES): CancellationSource {
  const requested = new AbortController();
  const expired = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expiresAt = Number.POSITIVE_INFINITY;
  const expireIn = (ms: number, why: string) => {
    const at = Date.now() + ms;
    if (at >= expiresAt) return;
    expiresAt = at;
    clearTimeout(timer);
    timer = setTimeout(() => expired.abort(new Error(`the job was cancelled (${why}) and its time is up`)), ms);
  };
  return {
    requested: requested.signal,
    expired: expired.signal,
    cancel(why) {
      if (!requested.signal.aborted) {
        requested.abort(new Error(`the job was cancelled (${why})`));
        expireIn(times.graceMs, why);
      } else {
        // A second signal does not cut the rollback short: it only caps the time left.
        expireIn(times.lastWordMs, why);
      }
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}

const DEPLOY_SAYS = {
  first: 'cancelling. Nothing new starts; published but unverified definitions are rolled back.',
  again: 'finishing the rollback in progress while time allows, then reporting.',
};

/**
 * Run `work` with SIGINT and SIGTERM turned into a cancellation (instead of Node's default: die at
 * once). Once cancelled, the process exits as soon as `work` is done and the caller has reported,
 * even if an abandoned request still holds a socket.
 */
export async function withSignalCancellation<T>(
  work: (cancel: Cancellation) => Promise<T>,
  options: {
    times?: CancellationTimes;
    onSignal?: (line: string) => void;
    /** What the command does on a first and a later signal, after "Received SIGINT: " (default: deploy's words). */
    says?: { first: string; again: string };
  } = {},
): Promise<T> {
  const source = createCancellation(options.times);
  const onSignal = (signal: NodeJS.Signals) => {
    const first = !source.requested.aborted;
    source.cancel(signal);
    const says = options.says ?? DEPLOY_SAYS;
    options.onSignal?.(first ? `Received ${signal}: ${says.first}` : `Received ${signal} again: ${says.again}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(source);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    source.dispose();
    // Leave time for the caller to set the exit code and write its last lines, then go.
    if (source.requested.aborted) setTimeout(() => process.exit(Number(process.exitCode) || 1), 200).unref();
  }
}
