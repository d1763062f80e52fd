import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError } from '../../src/config/config.ts';

const masterKey = randomBytes(32).toString('base64');

test('valid configuration with defaults', () => {
  const config = loadConfig({ MASTER_KEY: masterKey });
  assert.equal(config.role, 'all');
  assert.equal(config.port, 8080);
  assert.equal(config.publicBaseUrl, 'http://127.0.0.1:8080');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.twilio, undefined);
});

test('bad configuration names every offending variable', () => {
  assert.throws(() => loadConfig({}), (error: unknown) => error instanceof ConfigError && /MASTER_KEY/.test(error.message));
  assert.throws(
    () => loadConfig({ MASTER_KEY: 'short', PORT: 'eighty', STEPUP_ROLE: 'both' }),
    (error: unknown) => error instanceof ConfigError && /MASTER_KEY/.test(error.message) && /PORT/.test(error.message) && /STEPUP_ROLE/.test(error.message),
  );
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32) }), /set all three or none/);
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, ADMIN_TOKEN: 'tooshort' }), /ADMIN_TOKEN/);
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, REDIS_SENTINELS: '127.0.0.1:26379' }), /REDIS_SENTINEL_NAME: required/);
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, REDIS_SENTINELS: 'sentinel-a' }), /REDIS_SENTINELS/);
});

test('Redis Sentinel: every sentinel, the name and both passwords', () => {
  const config = loadConfig({ MASTER_KEY: masterKey, REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.2:26380', REDIS_SENTINEL_NAME: 'stepup', REDIS_SENTINEL_PASSWORD: 's-secret', REDIS_PASSWORD: 'r-secret' });
  assert.deepEqual(config.redis, { sentinels: [{ host: 'sentinel-a', port: 26379 }, { host: '10.0.0.2', port: 26380 }], name: 'stepup', sentinelPassword: 's-secret', password: 'r-secret' });
  assert.deepEqual(loadConfig({ MASTER_KEY: masterKey }).redis, { url: 'redis://127.0.0.1:6379' });
});

test('master key rotation: previous keys parse', () => {
  const config = loadConfig({ MASTER_KEY: masterKey, MASTER_KEY_ID: 'k2', PREVIOUS_MASTER_KEYS: `k1:${randomBytes(32).toString('base64')}` });
  assert.equal(config.masterKeys.current.id, 'k2');
  assert.equal(config.masterKeys.previous[0]!.id, 'k1');
});
