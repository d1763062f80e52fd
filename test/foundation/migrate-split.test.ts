// Migrations are split into statements on line-ending semicolons, but never inside a function body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStatements } from '../../src/storage/migrate.ts';

test('statements split at line-ending semicolons; $$ bodies and comments handled', () => {
  const sql = [
    '-- a comment;',
    'CREATE TABLE a (x int);',
    'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$',
    'BEGIN',
    '  PERFORM 1;',
    '  RETURN 2;',
    'END',
    '$$;',
    '',
    'CREATE INDEX a_x ON a (x);',
  ].join('\n');
  const statements = splitStatements(sql);
  assert.equal(statements.length, 3);
  assert.equal(statements[0], 'CREATE TABLE a (x int)');
  assert.match(statements[1]!, /^CREATE FUNCTION f\(\)[\s\S]*PERFORM 1;\n  RETURN 2;\nEND\n\$\$$/);
  assert.equal(statements[2], 'CREATE INDEX a_x ON a (x)');
});

test("migrations come from src/storage/migrations and each module's declared folder, in one global name order", async () => {
  const { migrationFiles } = await import('../../src/storage/migrate.ts');
  const { channelModules } = await import('../../src/server/channel-modules.ts');
  const files = migrationFiles(channelModules);
  const names = files.map((file) => file.name);
  assert.deepEqual(names, [...names].sort(), 'one order across folders');
  assert.equal(new Set(names).size, names.length, 'no name twice');
  for (const channel of ['ars', 'otp', 'webauthn']) {
    assert.ok(files.some((file) => file.owner === channel && file.path.includes(`/src/channels/${channel}/migrations/`)), `${channel} keeps its tables in its folder`);
  }
  assert.ok(files.some((file) => file.name.startsWith('001_') && file.owner === 'core' && file.path.includes('/src/storage/migrations/')));
  // The names a database migrated before modules declared their folders has in its ledger: every
  // .sql file under src/ (the core's folder and every channel folder's), none left undeclared.
  const { readdirSync } = await import('node:fs');
  const src = new URL('../../src/', import.meta.url);
  const onDisk = [
    ...readdirSync(new URL('storage/migrations/', src)),
    ...readdirSync(new URL('channels/', src), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        try {
          return readdirSync(new URL(`channels/${entry.name}/migrations/`, src));
        } catch {
          return [];
        }
      }),
  ].filter((name) => name.endsWith('.sql'));
  assert.deepEqual(names, onDisk.sort());
  // The core alone: no channel's table.
  assert.ok(migrationFiles([]).every((file) => file.owner === 'core'));
  // A module naming a folder that is not there stops the server.
  assert.throws(() => migrationFiles([{ name: 'ghost', migrations: new URL('./no-such-folder/', import.meta.url) }]), /ghost module's migrations folder does not exist/);
});
