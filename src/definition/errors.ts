// Typed errors for definition handling. They carry the file and place so the single top-level catch
// can print "file:line:col: message" without a stack trace.

export class DefinitionError extends Error {
  override readonly name: string = 'DefinitionError';
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** The DSL given to `adopt` could not be read (bad YAML, too large, alias bomb, not a Dify DSL). */
export class AdoptError extends DefinitionError {
  override readonly name = 'AdoptError';
}
