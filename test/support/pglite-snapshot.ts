// A dump of an in-memory PGlite database with every migration applied, that the suite's servers
// start from instead of running initdb and the migrations each time (a fresh PGlite costs several
// seconds of CPU, one from a dump a fraction; docs/architecture.md, "The suite").
//
// Built once per set of migrations, PGlite version and recipe (named by their hash, so a changed
// migration, an upgrade or a change to how it is made builds another) into the machine's temporary
// folder, by one of the test processes asking at once while the others wait for it
// (test/support/file-built-once.ts); each process reads it once.
import './wasm-baseline-compiler.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../src/storage/migrate.ts';
import { openDb } from '../../src/storage/open-db.ts';
import { dumpPgliteDb } from '../../src/storage/pglite-db.ts';
import { fileBuiltOnce } from './file-built-once.ts';
import { migrationFilesHash } from './migration-files-hash.ts';

const pgliteVersion = (): string => {
  const require = createRequire(import.meta.url);
  // The package exports no package.json: it is two folders up from its entry (dist/index.cjs).
  const manifest = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
};

/** The configuration openDb needs for an in-memory PGlite. */
export const inMemory = { databaseUrl: undefined, dataDir: ':memory:', dbTxGuard: true } as const;

const recipeFiles = [fileURLToPath(import.meta.url), fileURLToPath(new URL('../../src/storage/pglite-db.ts', import.meta.url))];

/** The file a dump of the core's and `modules`' current migrations is kept in. */
export function snapshotPath(modules: readonly MigrationSource[]): string {
  // How a dump is made (PGlite's version, this file, and the in-memory database's settings) names it too.
  const recipe = { name: 'pglite dump', parts: () => [`pglite ${pgliteVersion()}\n`, ...recipeFiles.map((file) => readFileSync(file))] };
  return join(tmpdir(), 'stepup-pglite-snapshots', `${migrationFilesHash(modules, recipe)}.tar`);
}

/**
 * Migrates a fresh in-memory PGlite and dumps it, without the template databases: no test creates a
 * database on PGlite, and every database in the dump is read and written again by each copy.
 */
export async function buildSnapshot(modules: readonly MigrationSource[]): Promise<Blob> {
  const db = await openDb(inMemory, modules);
  try {
    for (const template of ['template0', 'template1']) {
      await db.query(`ALTER DATABASE ${template} IS_TEMPLATE false`);
      await db.query(`DROP DATABASE ${template}`);
    }
    return await dumpPgliteDb(db);
  } finally {
    await db.close();
  }
}

const loaded = new Map<string, Promise<Blob>>();

/**
 * The dump migrated for `modules`, built on first use on this machine (by one of the processes asking
 * at once: test/support/file-built-once.ts) and read once per process.
 */
export function migratedPgliteSnapshot(modules: readonly MigrationSource[]): Promise<Blob> {
  const path = snapshotPath(modules);
  let snapshot = loaded.get(path);
  if (snapshot) return snapshot;
  snapshot = fileBuiltOnce(path, async () => new Uint8Array(await (await buildSnapshot(modules)).arrayBuffer())).then((bytes) => new Blob([bytes as Uint8Array<ArrayBuffer>]));
  loaded.set(path, snapshot);
  return snapshot;
}
