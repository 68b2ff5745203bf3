// The version this build is, from package.json: `dify-gitops --version` and the recovery commands
// (`npx dify-gitops@<version> …`) that must run the same release that printed them.
import packageJson from '../package.json' with { type: 'json' };

export const VERSION: string = packageJson.version;

/** A command a person runs from a terminal: pinned to this release, so it means what this run meant. */
export function cliCommand(args: string): string {
  return `npx dify-gitops@${VERSION} ${args}`;
}
