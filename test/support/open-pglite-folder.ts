// A child process for the folder-lock tests: opens the embedded database in the folder given, prints
// "open <pid>" or "refused <message>", then holds the folder until its stdin closes or it is killed.
import './wasm-baseline-compiler.ts';
import { createPgliteDb } from '../../src/storage/pglite-db.ts';

const folder = process.argv[2]!;
try {
  const db = await createPgliteDb(folder);
  process.stdout.write(`open ${process.pid}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void db.close().then(() => process.exit(0)));
} catch (error) {
  process.stdout.write(`refused ${(error as Error).message.replace(/\n/g, ' ')}\n`);
  process.exit(3);
}
