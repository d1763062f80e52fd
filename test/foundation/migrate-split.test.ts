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

test("migrations come from src/storage/migrations and each channel's own folder, in one global name order", async () => {
  const { migrationFiles } = await import('../../src/storage/migrate.ts');
  const files = migrationFiles();
  const names = files.map((file) => file.name);
  assert.deepEqual(names, [...names].sort(), 'one order across folders');
  assert.equal(new Set(names).size, names.length, 'no name twice');
  for (const channel of ['ars', 'otp', 'webauthn']) {
    assert.ok(files.some((file) => file.path.includes(`/src/channels/${channel}/migrations/`)), `${channel} keeps its tables in its folder`);
  }
  assert.ok(files.some((file) => file.name.startsWith('001_') && file.path.includes('/src/storage/migrations/')));
});
