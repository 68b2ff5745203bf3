// Stack traces that point at src/ lines. The bundle's source-map support (ncc's
// sourcemap-register.cjs) is loaded here, the first time a stack is about to be printed, instead of
// on every start (docs/decisions/0006). V8 formats a stack when it is first read, so an error made
// before the support loaded is still mapped.
let loaded = false;

export function stackOf(error: Error): string | undefined {
  if (!loaded) {
    loaded = true;
    try {
      process.getBuiltinModule('node:module').createRequire(import.meta.url)('./sourcemap-register.cjs');
    } catch {
      // Run from src/ (tsx, tests) there is no bundle to map: the stack names src/ already.
    }
  }
  return error.stack;
}
