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

// A channel's variables are its module's (docs/architecture.md, "How a channel plugs in"): read and
// validated only when the module is registered, its values in config.modules[<module>].
test("the ARS module's variables: read only with the ARS module, with the same defaults and bounds", async () => {
  const { channelModules } = await import('../../src/server/channel-modules.ts');
  const { arsSettings } = await import('../../src/channels/ars/ars-config.ts');
  const coreOnly = channelModules.filter((module) => module.name !== 'ars');
  // Without the module, ARS_* are nobody's: a bad value is ignored.
  const withoutArs = loadConfig({ MASTER_KEY: masterKey, ARS_RECONCILE_EVERY_MS: 'often', ARS_WEBHOOK_PATIENCE_MS: '20000' }, coreOnly);
  assert.equal(withoutArs.modules.ars, undefined);
  assert.ok(!Object.keys(withoutArs).some((key) => /^ars/i.test(key)), 'no ARS field in the core configuration');
  // With it, the same value stops the start-up, naming the variable.
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, ARS_RECONCILE_EVERY_MS: 'often' }, channelModules), (error: unknown) => error instanceof ConfigError && /ARS_RECONCILE_EVERY_MS/.test(error.message));
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, ARS_WEBHOOK_PATIENCE_MS: '20000' }, channelModules), /ARS_WEBHOOK_PATIENCE_MS: .*14000/);
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, ARS_RETRY_DELAY_SCALE: '0' }, channelModules), /ARS_RETRY_DELAY_SCALE/);
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, ARS_RECONCILE_AFTER_S: '0.01' }, channelModules), /ARS_RECONCILE_AFTER_S/);
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, ARS_RECONCILE_GIVE_UP_S: '0' }, channelModules), /ARS_RECONCILE_GIVE_UP_S/);
  assert.deepEqual(arsSettings(loadConfig({ MASTER_KEY: masterKey }, channelModules)), {
    ARS_RETRY_DELAY_SCALE: 1,
    ARS_RECONCILE_EVERY_MS: 5000,
    ARS_RECONCILE_AFTER_S: 20,
    ARS_WEBHOOK_PATIENCE_MS: 8000,
    ARS_RECONCILE_GIVE_UP_S: 3600,
  });
  assert.equal(arsSettings(loadConfig({ MASTER_KEY: masterKey, ARS_RECONCILE_AFTER_S: '0.5' }, channelModules)).ARS_RECONCILE_AFTER_S, 0.5);
  // A configuration loaded without the module has no settings for it: asking is an error, not a default.
  assert.throws(() => arsSettings(withoutArs), /without the ars module/);
});

test("the WebAuthn module's variables: the relying party worked out only with the WebAuthn module", async () => {
  const { channelModules } = await import('../../src/server/channel-modules.ts');
  const { webauthnSettings } = await import('../../src/channels/webauthn/webauthn-config.ts');
  const coreOnly = channelModules.filter((module) => module.name !== 'webauthn');
  const withoutWebAuthn = loadConfig({ MASTER_KEY: masterKey, WEBAUTHN_RP_ID: '10.0.0.5' }, coreOnly);
  assert.equal(withoutWebAuthn.modules.webauthn, undefined);
  assert.ok(!Object.keys(withoutWebAuthn).some((key) => /webauthn/i.test(key)), 'no WebAuthn field in the core configuration');
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, WEBAUTHN_RP_ID: '10.0.0.5' }, channelModules), (error: unknown) => error instanceof ConfigError && /WEBAUTHN_RP_ID: .*IP address.*must be a domain/.test(error.message));
  // Derived from the core's PUBLIC_BASE_URL.
  assert.deepEqual(webauthnSettings(loadConfig({ MASTER_KEY: masterKey, PUBLIC_BASE_URL: 'https://stepup.bank.example' }, channelModules)).relyingParty, { rpId: 'stepup.bank.example', origins: ['https://stepup.bank.example'] });
  assert.match(String((webauthnSettings(loadConfig({ MASTER_KEY: masterKey }, channelModules)).relyingParty as { unavailable: string }).unavailable), /IP address/);
  // A module's checks run with the core's: both problems named at once.
  assert.throws(
    () => loadConfig({ MASTER_KEY: masterKey, PORT: 'eighty', WEBAUTHN_ORIGINS: 'https://evil.example', PUBLIC_BASE_URL: 'https://stepup.bank.example', ARS_RECONCILE_EVERY_MS: 'often' }, channelModules),
    (error: unknown) => error instanceof ConfigError && /PORT/.test(error.message) && /ARS_RECONCILE_EVERY_MS/.test(error.message),
  );
});
