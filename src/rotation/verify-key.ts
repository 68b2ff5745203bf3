// Proof that a key works the way its consumers will use it: one real service-API call.
import type { Definition } from '../definition/types.js';
import type { DifyService } from '../dify/types.js';
import { runSmokeChecks } from '../stages/smoke-check.js';

export interface KeyCheck {
  passed: boolean;
  /** What was called, for logs: `smoke check "echoes query"` or `GET /v1/parameters`. */
  what: string;
  failures: string[];
}

/**
 * The definition's first smoke check (a real run) when it has one, else GET /v1/parameters.
 * Retries come from the smoke-check budget: a flaky model must not cost a good key.
 */
export async function verifyKey(
  definition: Definition,
  service: DifyService,
  options: { retryBudget: number; log: (line: string) => void; signal?: AbortSignal },
): Promise<KeyCheck> {
  const first = definition.smoke?.[0];
  try {
    const health = await runSmokeChecks({ ...definition, smoke: first ? [first] : [] }, service, {
      retryBudget: options.retryBudget,
      onProgress: options.log,
      signal: options.signal,
    });
    return {
      passed: health.passed,
      what: first ? `smoke check "${first.name}"` : 'GET /v1/parameters',
      failures: health.checks.flatMap((c) => c.failures),
    };
  } finally {
    await service.close?.();
  }
}
