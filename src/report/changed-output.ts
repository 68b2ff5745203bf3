// The `changed` output: a JSON list of definition names, ready for `strategy.matrix` and for the
// `workflows` input of the jobs it fans out to (one job per definition, or per shard).
import { Outputs } from '../inputs.js';
import type { DefinitionPlan } from '../plan/build.js';
import type { ReportSink } from './sink.js';

/** The definitions a deploy would write to Dify: a new app version, an update, or a republish. */
export function plannedChanges(plans: Pick<DefinitionPlan, 'name' | 'status'>[]): string[] {
  return plans.filter((p) => p.status === 'create' || p.status === 'update' || p.status === 'republish').map((p) => p.name);
}

export function reportChanged(sink: ReportSink, names: string[]): void {
  sink.output(Outputs.changed, JSON.stringify(names));
}
