// Tables have owners (docs/architecture.md, "Tables have owners"): the core owns the tables its
// migrations create (src/storage/migrations), each channel those of its own migrations folder. A
// channel's SQL names only its own tables and the core's read-only `challenge_states` view (never
// `challenges`, never another channel's tables); the core's SQL names no channel's table. SQL is read
// statically from every string literal under src/ that reads like a statement, and the view's
// read-only guard is tried on both databases.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { migrationFiles, migrate } from '../../src/storage/migrate.ts';
import { channelModules } from '../../src/server/channel-modules.ts';
import { migratedPgliteSnapshot } from '../support/pglite-snapshot.ts';
import { createPgliteDb } from '../../src/storage/pglite-db.ts';
import { createPgDb } from '../../src/storage/pg-db.ts';
import type { Db } from '../../src/storage/db.ts';
import { createPostgresDatabase, dbKinds } from '../support/databases.ts';
import { srcDir as src, sourceFiles } from '../support/source-files.ts';

/** The owner of each table and view the migrations create: `core` or the channel's folder name. */
export function tableOwners(migrations: { path: string; text: string }[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const { path, text } of migrations) {
    const owner = /\/src\/channels\/([^/]+)\/migrations\//.exec(path)?.[1] ?? 'core';
    for (const match of text.matchAll(/\bCREATE\s+(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)/gi)) owners.set(match[1]!.toLowerCase(), owner);
  }
  return owners;
}

/** The string literals of a file that read like SQL statements (quoted, double-quoted or template). */
export function sqlStringsOf(text: string): string[] {
  const literals = [...text.matchAll(/`(?:[^`\\]|\\.)*`|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g)].map((match) => match[0]);
  return literals.filter((literal) => /\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|WITH)\b[\s\S]*\b(FROM|INTO|SET|JOIN)\b/.test(literal));
}

/** Every table or view of `owners` a statement names (identifiers compared whole, case-insensitively). */
export function tablesNamedIn(sql: string, owners: Map<string, string>): string[] {
  const named = new Set<string>();
  for (const match of sql.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const word = match[0].toLowerCase();
    // `x.challenges` is a column or a JSON key of x, not the table.
    if (owners.has(word) && sql[match.index! - 1] !== '.') named.add(word);
  }
  return [...named];
}

/** The view a channel may read of the core's challenges. */
const publishedToChannels = new Set(['challenge_states']);

/** Why `file` (relative to src/) may not name `table` owned by `owner`; undefined when it may. */
export function ownershipViolation(file: string, table: string, owner: string): string | undefined {
  const channel = /^channels\/([^/]+)\//.exec(file)?.[1];
  if (channel !== undefined) {
    if (owner === channel) return undefined;
    if (owner === 'core') return table === 'challenges' ? 'a channel reads challenges through ChallengeOutcomes or the challenge_states view' : undefined;
    return `channel ${channel} names channel ${owner}'s table`;
  }
  if (owner === 'core') return publishedToChannels.has(table) ? 'the core reads challenges, not the view it publishes to channels' : undefined;
  return `the core names channel ${owner}'s table (the channel module offers what the core needs)`;
}

const owners = tableOwners(migrationFiles(channelModules).map((file) => ({ path: file.path, text: readFileSync(file.path, 'utf8') })));

test('the rule itself: a channel never names challenges or another channel; the core never names a channel table', () => {
  const fixture = tableOwners([
    { path: '/r/src/storage/migrations/001_core.sql', text: 'CREATE TABLE challenges (id text);\nCREATE VIEW challenge_states AS SELECT id FROM challenges;' },
    { path: '/r/src/channels/ars/migrations/002_ars.sql', text: 'CREATE TABLE ars_call_attempts (id text);' },
    { path: '/r/src/channels/otp/migrations/003_otp.sql', text: 'CREATE TABLE IF NOT EXISTS otp_tokens (id text);' },
  ]);
  assert.deepEqual([...fixture], [['challenges', 'core'], ['challenge_states', 'core'], ['ars_call_attempts', 'ars'], ['otp_tokens', 'otp']]);
  const code = [
    'const a = `SELECT a.* FROM ars_call_attempts a JOIN challenges c ON c.id = a.challenge_id`;',
    "const b = 'UPDATE otp_tokens SET x = 1 WHERE id = $1';",
    'const c = challenges.finish(x); // FROM challenges',
    'const d = `SELECT c.id FROM ars_call_attempts a JOIN challenge_states c ON c.id = a.challenge_id`;',
  ].join('\n');
  const statements = sqlStringsOf(code);
  assert.equal(statements.length, 3, 'the code outside literals is not SQL');
  assert.deepEqual(statements.map((sql) => tablesNamedIn(sql, fixture).sort()), [['ars_call_attempts', 'challenges'], ['otp_tokens'], ['ars_call_attempts', 'challenge_states']]);
  assert.match(ownershipViolation('channels/ars/call-reconciler.ts', 'challenges', 'core')!, /ChallengeOutcomes/);
  assert.match(ownershipViolation('channels/ars/x.ts', 'otp_tokens', 'otp')!, /channel ars names channel otp/);
  assert.match(ownershipViolation('http/routes/challenge-admin-routes.ts', 'ars_call_attempts', 'ars')!, /core names channel ars/);
  assert.match(ownershipViolation('challenges/challenge-store.ts', 'challenge_states', 'core')!, /not the view/);
  assert.equal(ownershipViolation('channels/ars/x.ts', 'challenge_states', 'core'), undefined);
  assert.equal(ownershipViolation('channels/ars/x.ts', 'ars_call_attempts', 'ars'), undefined);
  assert.equal(ownershipViolation('channels/ars/x.ts', 'audit_inbox', 'core'), undefined);
  assert.equal(ownershipViolation('challenges/challenge-store.ts', 'challenges', 'core'), undefined);
});

test('every SQL statement under src/ names only tables its folder may read', () => {
  assert.equal(owners.get('challenges'), 'core');
  assert.equal(owners.get('challenge_states'), 'core');
  assert.equal(owners.get('ars_call_attempts'), 'ars');
  assert.equal(owners.get('otp_challenge_attempts'), 'otp');
  assert.equal(owners.get('webauthn_confirmations'), 'webauthn');
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const file of sourceFiles(src)) {
    const from = relative(src, file);
    for (const sql of sqlStringsOf(readFileSync(file, 'utf8'))) {
      for (const table of tablesNamedIn(sql, owners)) {
        const owner = owners.get(table)!;
        seen.set(owner, (seen.get(owner) ?? 0) + 1);
        const why = ownershipViolation(from, table, owner);
        if (why) problems.push(`${from} names ${table}: ${why}`);
      }
    }
  }
  // The reader found SQL of every owner (a pattern that matched nothing would pass vacuously).
  for (const owner of ['core', 'ars', 'otp', 'webauthn']) assert.ok((seen.get(owner) ?? 0) > 5, `only ${seen.get(owner) ?? 0} statements name ${owner}'s tables`);
  assert.deepEqual(problems, []);
});

for (const kind of dbKinds) {
  describe(`challenge_states is read-only (${kind})`, () => {
    let db: Db;
    let drop: () => Promise<void> = async () => {};
    before(async () => {
      if (kind === 'pglite') db = await createPgliteDb(undefined, { loadDataDir: await migratedPgliteSnapshot(channelModules) });
      else {
        const database = await createPostgresDatabase();
        db = createPgDb(database.url);
        drop = database.drop;
      }
      await migrate(db, channelModules);
      await db.query(`INSERT INTO tenants (id, name, bank_name, webhook_secret_enc) VALUES ('t1', 'Tenant', 'Bank', 'enc')`);
    });
    after(async () => {
      await db.close();
      await drop();
    });

    test('a channel reads a challenge state through it, and cannot move the challenge', async () => {
      await db.query(
        `INSERT INTO challenges (id, tenant_id, customer_id, status, transaction_type, transaction_masked, transaction_enc, transaction_hash, context, decision, policy_version, channel, locale, expires_at)
         VALUES ('ch_1', 't1', 'cust', 'pending', 'transfer', '{}', 'enc', 'hash', '{}', '{}', 1, 'ars', 'ko-KR', now() + interval '5 minutes')`,
      );
      const read = await db.query<{ status: string; channel: string }>(`SELECT status, channel FROM challenge_states WHERE tenant_id = 't1' AND id = 'ch_1'`);
      assert.deepEqual(read.rows, [{ status: 'pending', channel: 'ars' }]);
      await assert.rejects(db.query(`UPDATE challenge_states SET status = 'approved' WHERE id = 'ch_1'`), /challenge_states is read-only/);
      await assert.rejects(db.query(`DELETE FROM challenge_states WHERE id = 'ch_1'`), /challenge_states is read-only/);
      const unchanged = await db.query<{ status: string }>(`SELECT status FROM challenges WHERE id = 'ch_1'`);
      assert.deepEqual(unchanged.rows, [{ status: 'pending' }]);
    });
  });
}
