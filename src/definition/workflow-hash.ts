// The hash that proves what is live: computed the same way from a repo DSL and from the
// Workflow object Dify returns for a published version, so the two can be compared.
import { contentHash, normalizeDslForHash } from './canonical.js';

interface WorkflowParts {
  graph?: unknown;
  features?: unknown;
  environment_variables?: unknown;
  conversation_variables?: unknown;
}

/** Only the workflow content counts: Dify stamps its own DSL version, and names live on the app. */
export function workflowHash(dsl: { workflow?: WorkflowParts }): string {
  return hashParts(dsl.workflow ?? {});
}

/** The same hash of a Workflow object (GET …/workflows/publish). */
export function publishedWorkflowHash(workflow: WorkflowParts): string {
  return hashParts(workflow);
}

function hashParts(parts: WorkflowParts): string {
  const workflow = {
    graph: parts.graph ?? {},
    features: parts.features ?? {},
    // The API serialises variables with extra fields (selector, edited, …): compare what they mean.
    environment_variables: pickVariables(parts.environment_variables),
    conversation_variables: pickVariables(parts.conversation_variables),
  };
  const normalized = normalizeDslForHash({ workflow }) as { workflow: unknown };
  return contentHash(normalized.workflow);
}

function pickVariables(list: unknown): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.map((v: Record<string, unknown>) => ({
    name: v.name,
    value_type: v.value_type,
    value: v.value_type === 'secret' ? '' : v.value,
    description: v.description ?? '',
  }));
}
