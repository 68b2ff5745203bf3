// What counts as a leak in captured output: a secret on any line that is not an ::add-mask::
// command (that line is how a secret is handed to the runner to hide).
export function findLeaks(printed: string, secrets: readonly string[]): string[] {
  const lines = printed.split('\n').filter((line) => !line.includes('::add-mask::'));
  return secrets.filter((secret) => lines.some((line) => line.includes(secret)));
}
