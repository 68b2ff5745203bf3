// Files only the user may read (the CLI's key file and its ledger): never half-written, never
// readable by others even for a moment.
import { chmod, rename, rm, writeFile } from 'node:fs/promises';

export interface StagedFile {
  /** Put the new content in place (an atomic rename). */
  commit(): Promise<void>;
  /** Drop it; the old file, if any, stays as it was. */
  abort(): Promise<void>;
}

/** Writes `text` to a temporary file created with mode 0600 beside `file`, to be renamed over it. */
export async function stagePrivateFile(file: string, text: string): Promise<StagedFile> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600 });
    // `mode` applies only when the file is created; a leftover temp file would keep its old mode.
    await chmod(temp, 0o600);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return {
    async commit() {
      try {
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    abort: () => rm(temp, { force: true }),
  };
}

export async function writePrivateFile(file: string, text: string): Promise<void> {
  await (await stagePrivateFile(file, text)).commit();
}
