// A strict JSON (RFC 8259) parser that also records where every value and key starts, so each
// diagnostic can name a line and column. JSON.parse cannot do this, and a generic parser would
// not enforce our size and depth limits before it allocates.

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what editors and GitHub annotations use). */
  column: number;
}

export interface JsonLimits {
  /** Refuse texts longer than this many characters. */
  maxLength: number;
  /** Refuse objects/arrays nested deeper than this. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: JsonLimits = { maxLength: 5 * 1024 * 1024, maxDepth: 256 };

export interface JsonSyntaxProblem {
  message: string;
  offset: number;
  line: number;
  column: number;
}

export interface LocatedJson {
  value: unknown;
  /** JSON Pointer → offset of the value's first character. */
  valueOffsets: Map<string, number>;
  /** JSON Pointer of a property → offset of its key's opening quote. */
  keyOffsets: Map<string, number>;
  /** Offset → line/column. */
  position(offset: number): Position;
}

export type ParseJsonResult = ({ ok: true } & LocatedJson) | { ok: false; error: JsonSyntaxProblem };

class SyntaxFailure {
  constructor(
    readonly message: string,
    readonly offset: number,
  ) {}
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Escapes one reference token of a JSON Pointer (RFC 6901). */
export function escapePointerToken(token: string): string {
  if (token.indexOf('~') < 0 && token.indexOf('/') < 0) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds offset → line/column lookups over one text; line starts are computed once, lazily. */
export function createPositionLookup(text: string): (offset: number) => Position {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

/** Parses `text`; never throws. Syntax errors, oversize and overdeep input come back as `error`. */
export function parseJsonWithLocations(text: string, limits: JsonLimits = DEFAULT_LIMITS): ParseJsonResult {
  const position = createPositionLookup(text);
  if (text.length > limits.maxLength) {
    const mb = (limits.maxLength / (1024 * 1024)).toFixed(0);
    return fail(`file is larger than ${mb} MB; definitions must be smaller (split the app or remove embedded data)`, 0);
  }
  const parser = new Parser(text, limits.maxDepth);
  try {
    const value = parser.parseDocument();
    return { ok: true, value, valueOffsets: parser.valueOffsets, keyOffsets: parser.keyOffsets, position };
  } catch (error) {
    if (error instanceof SyntaxFailure) return fail(error.message, error.offset);
    // A RangeError here would mean a bug in the depth guard; still report, never crash the run.
    return fail(`could not parse JSON: ${(error as Error).message}`, parser.pos);
  }

  function fail(message: string, offset: number): ParseJsonResult {
    return { ok: false, error: { message, offset, ...position(offset) } };
  }
}

class Parser {
  pos = 0;
  readonly valueOffsets = new Map<string, number>();
  readonly keyOffsets = new Map<string, number>();

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): unknown {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1; // tolerate a UTF-8 byte order mark
    this.skipWhitespace();
    if (this.pos >= this.text.length) throw new SyntaxFailure('file is empty; expected a JSON object', this.pos);
    const value = this.parseValue('', 0);
    this.skipWhitespace();
    if (this.pos < this.text.length) {
      throw new SyntaxFailure('unexpected content after the end of the JSON value; remove it', this.pos);
    }
    return value;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }

  private parseValue(pointer: string, depth: number): unknown {
    this.valueOffsets.set(pointer, this.pos);
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.parseObject(pointer, depth + 1);
    if (c === 0x5b) return this.parseArray(pointer, depth + 1);
    if (c === 0x22) return this.parseString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    throw this.unexpected('a JSON value');
  }

  private literal<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private unexpected(expected: string): SyntaxFailure {
    if (this.pos >= this.text.length) return new SyntaxFailure(`unexpected end of file; expected ${expected}`, this.pos);
    const ch = this.text[this.pos];
    const shown = /[\x20-\x7e]/.test(ch) ? `"${ch}"` : `U+${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    return new SyntaxFailure(`unexpected character ${shown}; expected ${expected}`, this.pos);
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) {
      throw new SyntaxFailure(`nesting deeper than ${this.maxDepth} levels; flatten the structure`, this.pos);
    }
  }

  private parseObject(pointer: string, depth: number): Record<string, unknown> {
    this.enter(depth);
    const text = this.text;
    const result: Record<string, unknown> = {};
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return result;
    }
    for (;;) {
      if (text.charCodeAt(this.pos) !== 0x22) {
        if (text.charCodeAt(this.pos) === 0x7d) throw new SyntaxFailure('trailing comma before "}"; remove it', this.pos);
        throw this.unexpected('a property name in double quotes');
      }
      const keyOffset = this.pos;
      const key = this.parseString();
      if (Object.hasOwn(result, key)) {
        throw new SyntaxFailure(`duplicate property "${key}"; keep only one`, keyOffset);
      }
      const childPointer = pointer + '/' + escapePointerToken(key);
      this.keyOffsets.set(childPointer, keyOffset);
      this.skipWhitespace();
      if (text.charCodeAt(this.pos) !== 0x3a) throw this.unexpected('":" after the property name');
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue(childPointer, depth);
      // Own data property even for "__proto__", so parsed input can never change a prototype.
      if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x7d) {
        this.pos++;
        return result;
      } else {
        throw this.unexpected('"," or "}"');
      }
    }
  }

  private parseArray(pointer: string, depth: number): unknown[] {
    this.enter(depth);
    const text = this.text;
    const result: unknown[] = [];
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return result;
    }
    for (;;) {
      if (text.charCodeAt(this.pos) === 0x5d) throw new SyntaxFailure('trailing comma before "]"; remove it', this.pos);
      result.push(this.parseValue(pointer + '/' + result.length, depth));
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x5d) {
        this.pos++;
        return result;
      } else {
        throw this.unexpected('"," or "]"');
      }
    }
  }

  private parseString(): string {
    const text = this.text;
    const start = this.pos + 1;
    let i = start;
    // Fast path: no escapes, one slice.
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return text.slice(start, i);
      }
      if (c === 0x5c) break;
      if (!(c >= 0x20)) this.badStringChar(i); // also catches NaN past the end
      i++;
    }
    const parts: string[] = [];
    let chunk = start;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        parts.push(text.slice(chunk, i));
        this.pos = i + 1;
        return parts.join('');
      }
      if (c === 0x5c) {
        parts.push(text.slice(chunk, i));
        const e = text[i + 1];
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxFailure('invalid \\u escape; use four hex digits', i);
          parts.push(String.fromCharCode(parseInt(hex, 16)));
          i += 6;
        } else if (e !== undefined && ESCAPES[e] !== undefined) {
          parts.push(ESCAPES[e]);
          i += 2;
        } else {
          throw new SyntaxFailure('invalid escape sequence in string', i);
        }
        chunk = i;
        continue;
      }
      if (!(c >= 0x20)) this.badStringChar(i); // also catches NaN past the end
      i++;
    }
  }

  private badStringChar(i: number): never {
    if (i >= this.text.length) throw new SyntaxFailure('unterminated string; add the closing double quote', this.pos);
    throw new SyntaxFailure('control character in string; escape it (for example \\n for a line break)', i);
  }

  private parseNumber(): number {
    NUMBER_RE.lastIndex = this.pos;
    const match = NUMBER_RE.exec(this.text);
    if (!match) throw this.unexpected('a number');
    this.pos += match[0].length;
    const next = this.text.charCodeAt(this.pos);
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e) {
      throw new SyntaxFailure('invalid number (no leading zeros, one "." at most); put text such as 1.0.0 in double quotes', this.pos);
    }
    return Number(match[0]);
  }
}
