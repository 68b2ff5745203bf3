// The hash that proves what is live: computed the same way from a repo DSL and from the
// Workflow object Dify returns for a published version, so the two can be compared. It is the
// hash of the very shape plans compare, so "no change in the plan" and "equal hashes" agree.
import { hashParts, partsFromDsl, partsFromPublished } from './workflow-parts.js';

type RawParts = Parameters<typeof partsFromPublished>[0];

/** Only the workflow content counts: Dify stamps its own DSL version, and names live on the app. */
export function workflowHash(dsl: { workflow?: RawParts }): string {
  return hashParts(partsFromDsl(dsl));
}

/** The same hash of a Workflow object (GET …/workflows/publish). */
export function publishedWorkflowHash(workflow: RawParts): string {
  return hashParts(partsFromPublished(workflow));
}
