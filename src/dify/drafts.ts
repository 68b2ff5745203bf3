// Reading an app's draft, which Dify does not create until someone opens the app in its editor.
import { isMissingDraft } from './errors.js';
import type { DifyConsole } from './types.js';

/** The live draft as exported YAML, or null when the app has no draft (never opened in the editor). */
export async function exportDraft(dify: DifyConsole, appId: string): Promise<string | null> {
  try {
    return await dify.exportDsl(appId);
  } catch (error) {
    if (isMissingDraft(error)) return null;
    throw error;
  }
}
