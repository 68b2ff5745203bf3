// YAML the way Dify reads and writes it. Dify parses imports with PyYAML, which follows YAML 1.1
// for booleans (yes/no/on/off are booleans) but not for y/n (plain strings, so `y:` in node
// positions stays a key). YAML 1.2 (this library's default) would send a string "on" unquoted and
// Dify would read it as True; YAML 1.1 proper would turn `y:` keys into booleans. So: the core
// schema with PyYAML's own boolean rule, used for everything we send to or read from Dify.
import { parse, stringify, type ScalarTag, type Tags } from 'yaml';

const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

const pyBool: ScalarTag = {
  identify: (value) => typeof value === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: BOOL,
  resolve: (text) => TRUE.test(text),
  stringify: ({ value }) => (value ? 'true' : 'false'),
};

const customTags = (tags: Tags): Tags => [pyBool, ...tags.filter((t) => (t as ScalarTag).tag !== 'tag:yaml.org,2002:bool')];

/** Parse YAML as PyYAML would (limits: 100 aliases, so a billion-laughs export cannot blow up). */
export function parsePyYaml(text: string): unknown {
  return parse(text, { schema: 'core', customTags, maxAliasCount: 100 });
}

/** YAML that PyYAML reads back as exactly `value` (ambiguous strings are quoted). */
export function stringifyPyYaml(value: unknown, options: { sortKeys?: boolean } = {}): string {
  return stringify(value, { schema: 'core', customTags, lineWidth: 0, sortMapEntries: options.sortKeys ?? false });
}

/** Options for parseDocument when line positions are needed (adopt). */
export const PYYAML_PARSE_OPTIONS = { schema: 'core', customTags, maxAliasCount: 100 } as const;
