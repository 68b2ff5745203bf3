// The catalogue's entries, one per Dify node type (api/core/workflow/enums.py NodeType), each read from
// the node's `_run` in Dify 1.12.1 (api/core/workflow/nodes/<type>/). Outputs are the keys of the
// NodeRunResult the node returns; handles are the edge_source_handle values it can choose.
import type { AppMode, DslNode } from './types.js';
import { isRecord } from './diagnostics.js';

export type NodeData = DslNode['data'];

export interface NodeKind {
  /** Names other nodes may read as [node_id, name, …] once this node has run. */
  outputs(data: NodeData): string[];
  /** The node may produce outputs the DSL does not list (a tool's variables come from its plugin). */
  openOutputs?: boolean;
  /** Variables that only the nodes inside this container may read (an iteration's item and index). */
  inner?(data: NodeData): string[];
  /** Source handles its outgoing edges may leave through; undefined when any handle goes (human input). */
  handles?(data: NodeData): string[];
  /** Keys, besides any "…selector", whose arrays of strings are selectors ([node_id, name]). */
  selectorKeys?: readonly string[];
  /** Keys holding a list of selectors (a variable aggregator's `variables`). */
  selectorListKeys?: readonly string[];
  /** Where the node may stand: an entry of the graph, a terminal, a container, or a container's own start. */
  role?: 'start' | 'trigger' | 'end' | 'answer' | 'container' | 'container-start' | 'container-end';
  /** The app modes the node belongs to (all workflow modes when absent). */
  modes?: readonly AppMode[];
}

/** Most nodes continue through one handle, "source". */
const ONE_WAY = () => ['source'];
const NONE = () => [];
const fixed =
  (...names: string[]) =>
  () =>
    names;

/** The string values of `key` in a list of records (start variables, code parameters, classes…). */
export function namesIn(list: unknown, key: string): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => (isRecord(item) && typeof item[key] === 'string' && item[key] !== '' ? [item[key] as string] : []));
}

function keysOf(value: unknown): string[] {
  return isRecord(value) ? Object.keys(value) : [];
}

/** variable_aggregator_node.py: "output", or one {output} per group when groups are enabled. */
const aggregator: NodeKind = {
  outputs: (data) => {
    const settings = isRecord(data.advanced_settings) ? data.advanced_settings : {};
    return settings.group_enabled === true ? namesIn(settings.groups, 'group_name') : ['output'];
  },
  handles: ONE_WAY,
  selectorListKeys: ['variables'],
};

export const NODE_KINDS: Record<string, NodeKind> = {
  // start_node.py: its outputs are the user inputs it declares.
  start: { role: 'start', outputs: (data) => namesIn(data.variables, 'variable'), handles: ONE_WAY },
  end: { role: 'end', modes: ['workflow'], outputs: (data) => namesIn(data.outputs, 'variable'), handles: NONE },
  answer: { role: 'answer', modes: ['advanced-chat'], outputs: fixed('answer', 'files'), handles: ONE_WAY },
  // llm/node.py: structured_output only when the switch is on (entities.py structured_output_enabled).
  llm: {
    outputs: (data) => [
      'text',
      'reasoning_content',
      'usage',
      'finish_reason',
      'files',
      ...(data.structured_output_enabled === true ? ['structured_output'] : []),
    ],
    handles: ONE_WAY,
  },
  code: { outputs: (data) => keysOf(data.outputs), handles: ONE_WAY },
  'http-request': { outputs: fixed('body', 'status_code', 'headers', 'files'), handles: ONE_WAY },
  'template-transform': { outputs: fixed('output'), handles: ONE_WAY },
  // tool_node.py and agent_node.py add the variables the plugin emits (`**variables`): not in the DSL.
  tool: { outputs: fixed('text', 'files', 'json'), openOutputs: true, handles: ONE_WAY },
  agent: { outputs: fixed('text', 'usage', 'files', 'json'), openOutputs: true, handles: ONE_WAY },
  'knowledge-retrieval': { outputs: fixed('result'), handles: ONE_WAY },
  // question_classifier_node.py: edge_source_handle is the chosen class's id.
  'question-classifier': { outputs: fixed('class_name', 'class_id', 'usage'), handles: (data) => namesIn(data.classes, 'id') },
  // parameter_extractor_node.py: the declared parameters plus its own status fields.
  'parameter-extractor': {
    outputs: (data) => [...namesIn(data.parameters, 'name'), '__is_success', '__reason', '__usage'],
    handles: ONE_WAY,
    selectorKeys: ['query'],
  },
  // if_else_node.py: edge_source_handle is the matched case's id, or "false"; the pre-cases form is true/false.
  'if-else': {
    outputs: fixed('result', 'selected_case_id'),
    handles: (data) => (Array.isArray(data.cases) ? [...namesIn(data.cases, 'case_id'), 'false'] : ['true', 'false']),
  },
  // iteration_node.py: "output" after the last round; item and index exist only inside, per round.
  iteration: { role: 'container', outputs: fixed('output'), inner: fixed('item', 'index'), handles: ONE_WAY },
  'iteration-start': { role: 'container-start', outputs: NONE, handles: ONE_WAY },
  // loop_node.py: loop variables live at [loop_id, label] inside and stay readable after, with loop_round.
  loop: {
    role: 'container',
    outputs: (data) => [...namesIn(data.loop_variables, 'label'), 'loop_round'],
    inner: (data) => namesIn(data.loop_variables, 'label'),
    handles: ONE_WAY,
  },
  'loop-start': { role: 'container-start', outputs: NONE, handles: ONE_WAY },
  'loop-end': { role: 'container-end', outputs: NONE, handles: NONE },
  'variable-aggregator': aggregator,
  // enums.py LEGACY_VARIABLE_AGGREGATOR: the aggregator under its old name.
  'variable-assigner': aggregator,
  // variable_assigner v1/v2: writes variables, produces nothing.
  assigner: { outputs: NONE, handles: ONE_WAY },
  'document-extractor': { outputs: fixed('text'), handles: ONE_WAY },
  'list-operator': { outputs: fixed('result', 'first_record', 'last_record'), handles: ONE_WAY, selectorKeys: ['variable'] },
  // human_input_node.py: the branch is whatever handle the person picks, and its form fields are its outputs.
  'human-input': { outputs: NONE, openOutputs: true },
  // trigger_webhook/node.py: the configured headers ("-" read as "_"), query parameters and body fields.
  'trigger-webhook': {
    role: 'trigger',
    modes: ['workflow'],
    outputs: (data) => [
      ...namesIn(data.headers, 'name').map((name) => name.replaceAll('-', '_')),
      ...namesIn(data.params, 'name'),
      ...namesIn(data.body, 'name'),
    ],
    handles: ONE_WAY,
  },
  // trigger_schedule_node.py / trigger_event_node.py: whatever the trigger injected as user inputs.
  'trigger-schedule': { role: 'trigger', modes: ['workflow'], outputs: NONE, openOutputs: true, handles: ONE_WAY },
  'trigger-plugin': { role: 'trigger', modes: ['workflow'], outputs: NONE, openOutputs: true, handles: ONE_WAY },
};
