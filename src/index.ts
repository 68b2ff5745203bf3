// Entry of the bundle. The runner starts it with no arguments (the action);
// bin/dify-gitops.js starts it as the CLI.
import * as core from './support/actions-core.js';
import { readActionSettings } from './settings.js';
import { createActionSink } from './report/sink.js';
import { runSafely } from './main.js';
import { runCli } from './cli.js';
import { describeError } from './support/errors.js';

async function runAction(): Promise<void> {
  try {
    const settings = readActionSettings();
    await runSafely(settings, createActionSink(), (message) => core.setFailed(message));
  } catch (error) {
    core.setFailed(describeError(error));
  }
}

if (process.env.DIFY_GITOPS_CLI === '1') {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
} else {
  void runAction();
}
