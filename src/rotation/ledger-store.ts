// Where the key ledger is kept: a repository Actions variable (the action, or the CLI with a
// GitHub token), or a state file next to the CLI's key file. Both keep one JSON object keyed
// `<name>/<environment>` and change only the entry they are given.
import { readFile } from 'node:fs/promises';
import type { GitHub } from '../git/github.js';
import { writePrivateFile } from './private-file.js';
import { emptyEntry, ledgerKey, parseLedger, serializeLedger, type Ledger, type LedgerEntry } from './ledger.js';

export interface LedgerRef {
  name: string;
  environment: string;
}

export interface LedgerStore {
  /** Where the ledger lives, for messages and the summary. */
  where(ref: LedgerRef): string;
  load(ref: LedgerRef): Promise<LedgerEntry>;
  save(ref: LedgerRef, entry: LedgerEntry): Promise<void>;
}

export function createVariableLedgerStore(github: GitHub, variable: string): LedgerStore {
  const where = `the repository Actions variable ${variable}`;
  // Read once per run; every save writes the whole object back with one entry changed.
  let cached: Ledger | undefined;
  const read = async () => (cached ??= parseLedger(await github.getVariable(variable), where));
  return {
    where: () => where,
    async load(ref) {
      return structuredClone((await read())[ledgerKey(ref.name, ref.environment)] ?? emptyEntry());
    },
    async save(ref, entry) {
      const next = withEntry(await read(), ledgerKey(ref.name, ref.environment), entry);
      await github.setVariable(variable, serializeLedger(next));
      cached = next;
    },
  };
}

/** `fileFor(name)` is the state file of that workflow (the key file's path + `.state.json`). */
export function createFileLedgerStore(fileFor: (name: string) => string): LedgerStore {
  const read = async (file: string): Promise<Ledger> => {
    try {
      return parseLedger(await readFile(file, 'utf8'), file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  };
  return {
    where: (ref) => fileFor(ref.name),
    async load(ref) {
      return (await read(fileFor(ref.name)))[ledgerKey(ref.name, ref.environment)] ?? emptyEntry();
    },
    async save(ref, entry) {
      const file = fileFor(ref.name);
      const next = withEntry(await read(file), ledgerKey(ref.name, ref.environment), entry);
      await writePrivateFile(file, `${JSON.stringify(JSON.parse(serializeLedger(next)), null, 2)}\n`);
    },
  };
}

function withEntry(ledger: Ledger, key: string, entry: LedgerEntry): Ledger {
  const next = { ...ledger };
  if (entry.current || entry.created.length) next[key] = entry;
  else delete next[key];
  return next;
}
