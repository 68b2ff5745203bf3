// Errors the user caused and can fix: reported as one clear line, never a stack trace.

/** Bad inputs, flags or environment: nothing was done yet. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Anything with a hint the user should read, as opposed to a bug. */
export interface UserFacing {
  message: string;
  hint?: string;
}

/** The one line main.ts prints for any failure: message, then what to do next when we know it. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const hint = (error as Partial<UserFacing>).hint;
    return hint ? `${error.message}\n  → ${hint}` : error.message;
  }
  return String(error);
}
