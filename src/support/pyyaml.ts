// YAML the way Dify reads and writes it. Dify parses imports with PyYAML, which follows YAML 1.1
// for booleans (yes/no/on/off are booleans) but not for y/n (plain strings, so `y:` in node
// positions stays a key). YAML 1.2 (this library's default) would send a string "on" unquoted and
// Dify would read it as True; YAML 1.1 proper would turn `y:` keys into booleans. So: the core
// schema with PyYAML's own boolean rule, used for everything we send to or read from Dify.
import type { ScalarTag, Tags } from 'yaml';
import { loadYaml } from './on-demand.cjs';

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
  return loadYaml().parse(text, { schema: 'core', customTags, maxAliasCount: 100 });
}

/**
 * PyYAML's implicit resolvers (yaml/resolver.py, YAML 1.1): a plain scalar matching one of these is not
 * read as a string. Sexagesimal numbers (`12:30`), underscores (`1_000`), `0b`/octal ints, dates,
 * `=` (the value tag, which safe_load cannot even construct) and `<<` (merge) among them.
 */
const PYYAML_NOT_STRING = [
  BOOL,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  /^(?:<<|=)$/,
];

export function isAmbiguousForPyYaml(text: string): boolean {
  return PYYAML_NOT_STRING.some((re) => re.test(text));
}

/** YAML that PyYAML reads back as exactly `value`: every string its resolvers would take for something else is quoted. */
export function stringifyPyYaml(value: unknown, options: { sortKeys?: boolean } = {}): string {
  const { Document, Scalar, visit } = loadYaml();
  const doc = new Document(value, { schema: 'core', customTags, sortMapEntries: options.sortKeys ?? false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && isAmbiguousForPyYaml(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** Options for parseDocument when line positions are needed (adopt). */
export const PYYAML_PARSE_OPTIONS = { schema: 'core', customTags, maxAliasCount: 100 } as const;
