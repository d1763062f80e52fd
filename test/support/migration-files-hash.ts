// A name for a set of migrations: what the suite's migrated copies (the PGlite dump, the PostgreSQL
// template) are kept under, so a changed migration, or another module list, makes another copy.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { migrationFiles, type MigrationSource } from '../../src/storage/migrate.ts';

const hashes = new Map<string, string>();

/**
 * 16 hex digits of a SHA-256 over `salt`'s parts (how a copy is made) and the core's and `modules`'
 * migration files, names and contents: read and hashed once per process for each salt and set of files.
 */
export function migrationFilesHash(modules: readonly MigrationSource[], salt?: { name: string; parts: () => (string | Buffer)[] }): string {
  const files = migrationFiles(modules);
  const key = `${salt?.name ?? ''}\n${files.map((file) => file.path).join('\n')}`;
  let digest = hashes.get(key);
  if (!digest) {
    const hash = createHash('sha256');
    for (const part of salt?.parts() ?? []) hash.update(part);
    for (const { name, path } of files) hash.update(name).update(readFileSync(path));
    digest = hash.digest('hex').slice(0, 16);
    hashes.set(key, digest);
  }
  return digest;
}
