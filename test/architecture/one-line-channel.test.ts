// A channel is its folder plus one line (docs/architecture.md, "How a channel plugs in"): a channel the
// server has never heard of (test/architecture/test-channel/, carrier pigeons) is registered with one
// line, `[...channelModules, pigeonModule]`, and then shows in the policy schema (a new tenant's version 0
// holds its section's defaults, its section validates, its weakening direction marks a proposal, a
// draft's backtest counts it), its configuration, its problem code, /openapi.json (its routes with their
// examples, its policy section, its summary and timeline parts, its day of the dashboard's example, its problem code),
// takes and ends challenges, shows in a challenge's admin timeline, the customer summary, and the
// console's metadata, which the console's pages render without naming any channel.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dbKinds } from '../support/databases.ts';
import { startTestServer, transferBody, type TestServer } from '../support/test-server.ts';
import { channelModules } from '../../src/server/channel-modules.ts';
import { pigeonModule } from './test-channel/pigeon-module.ts';
import { migrate, migrationFiles } from '../../src/storage/migrate.ts';
import { migratedPgliteSnapshot } from '../support/pglite-snapshot.ts';
import { createPgliteDb } from '../../src/storage/pglite-db.ts';
import { seedDecisions } from '../support/seed-decisions.ts';

const policyPath = (tenantId: string) => `/admin/v1/tenants/${tenantId}/policy`;

async function putPolicy(server: TestServer, tenantId: string, change: (draft: any) => void) {
  const current = await server.admin('GET', policyPath(tenantId));
  const draft = structuredClone(current.body.document);
  change(draft);
  return server.admin('PUT', policyPath(tenantId), draft, { 'if-match': current.headers.get('etag')! });
}

for (const db of dbKinds) {
  describe(`a channel registered in one line (${db})`, () => {
    let server: TestServer;
    let plain: TestServer;
    before(async () => {
      // The one line.
      const modules = [...channelModules, pigeonModule];
      server = await startTestServer({ db, modules, env: { PIGEON_LOFT_NAME: 'Dovecote' } });
      plain = await startTestServer({ db });
    });
    after(async () => {
      await server?.close();
      await plain?.close();
    });

    test('its policy section validates, channelOrder may name it, and its weakening direction marks a proposal', async () => {
      const { tenantId } = await server.createTenant();
      const saved = await putPolicy(server, tenantId, (draft) => {
        draft.channels.pigeon = { enabled: true, maxFlights: 3 };
        draft.channelOrder = ['pigeon', 'ars'];
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const read = await server.admin('GET', policyPath(tenantId));
      assert.deepEqual(read.body.document.channels.pigeon, { enabled: true, maxFlights: 3 });
      assert.deepEqual(read.body.document.channelOrder, ['pigeon', 'ars']);
      // Its bounds are the server's bounds.
      const tooMany = await putPolicy(server, tenantId, (draft) => (draft.channels.pigeon.maxFlights = 9));
      assert.equal(tooMany.status, 400);
      assert.ok(tooMany.body.errors.some((error: { path: string }) => error.path === 'body.channels.pigeon.maxFlights'), JSON.stringify(tooMany.body));
      // A tenant under maker-checker: raising maxFlights is declared the weak way.
      const guarded = await server.admin('POST', '/admin/v1/tenants', { name: 'Pigeon Bank', allowLoopbackCallbacks: true });
      assert.equal(guarded.status, 201);
      // Its stored defaults (version 0 holds its section's defaults, maxFlights 2).
      const proposed = await putPolicy(server, guarded.body.id, (draft) => (draft.channels.pigeon = { enabled: false, maxFlights: 5 }));
      assert.equal(proposed.status, 202, JSON.stringify(proposed.body));
      assert.deepEqual(proposed.body.weakens, ['channels.pigeon.maxFlights']);
      // Without the line, the same document is refused: the section is the module's, nobody else's.
      const other = await plain.createTenant();
      const refused = await putPolicy(plain, other.tenantId, (draft) => (draft.channels.pigeon = { enabled: true, maxFlights: 3 }));
      assert.equal(refused.status, 400);
    });

    test("a new tenant's version 0 holds its section with its defaults, as the console's policy page reads it", async () => {
      const { tenantId } = await server.createTenant();
      const current = await server.admin('GET', policyPath(tenantId));
      assert.equal(current.status, 200);
      assert.equal(current.body.version, 0);
      assert.deepEqual(current.body.document.channels.pigeon, { enabled: false, maxFlights: 2 });
      // The console's policy page lists version 0 from here (src/console/assets/js/pages/policy.js).
      const zero = await server.admin('GET', `${policyPath(tenantId)}/versions/0`);
      assert.deepEqual(zero.body.document, current.body.document);
      // Written back unchanged, it is a valid document of this server.
      const saved = await putPolicy(server, tenantId, () => {});
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      // Without the line, version 0 has no section of it.
      const other = await plain.createTenant();
      assert.equal((await plain.admin('GET', policyPath(other.tenantId))).body.document.channels.pigeon, undefined);
    });

    test("a draft's backtest counts the challenges it would send to it", async () => {
      const { tenantId } = await server.createTenant();
      const at = new Date(server.running.context.clock().getTime() - 3_600_000);
      // A certificate reissue is always stepped up; stored without a channel, it goes to the first one a side offers: the pigeon under the draft.
      await seedDecisions(server.running.context.db, tenantId, [{ id: 'r1', customer: 'cust-pigeon', at, status: 'not_required', type: 'certificate_reissue' }]);
      const current = await server.admin('GET', policyPath(tenantId));
      const draft = structuredClone(current.body.document);
      draft.channels.pigeon = { enabled: true, maxFlights: 2 };
      draft.channelOrder = ['pigeon', 'ars'];
      const answer = await server.admin('POST', `${policyPath(tenantId)}/backtest`, { document: draft, days: 3 });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.steppedUp, { current: 1, draft: 1 });
      assert.deepEqual(answer.body.byChannel.draft, { pigeon: 1 });
    });

    test('its configuration, route and problem code', async () => {
      const { client } = await server.createTenant();
      const loft = await client.request<any>('GET', '/v1/customers/cust-1001/pigeon-loft');
      assert.equal(loft.status, 200);
      assert.deepEqual(loft.body, { customerId: 'cust-1001', pigeons: 3, loftName: 'Dovecote' });
      const lost = await client.request<any>('GET', '/v1/customers/cust-lost/pigeon-loft');
      assert.equal(lost.status, 409);
      assert.equal(lost.body.code, 'pigeon_lost');
      assert.equal(lost.body.title, 'The pigeon did not come back');
    });

    test('/openapi.json documents its route with its example, its policy section, its summary and timeline parts and its problem code', async () => {
      const doc: any = await (await fetch(`${server.url}/openapi.json`)).json();
      const loft = doc.paths['/v1/customers/{customerId}/pigeon-loft']?.get;
      assert.ok(loft, 'its route is documented');
      assert.deepEqual(loft.responses['200'].content['application/json'].example, { customerId: 'cust-1001', pigeons: 3, loftName: 'Rooftop' });
      const policyBody = doc.paths['/admin/v1/tenants/{id}/policy'].put.requestBody.content['application/json'].schema;
      assert.deepEqual(Object.keys(policyBody.properties.channels.properties.pigeon.properties).sort(), ['enabled', 'maxFlights']);
      assert.ok(policyBody.properties.channelOrder.items.enum.includes('pigeon'));
      const summary = doc.paths['/v1/customers/{customerId}'].get.responses['200'].content['application/json'].schema;
      assert.ok(summary.properties.pigeon, 'its part of the customer summary');
      const timeline = doc.paths['/admin/v1/tenants/{id}/challenges/{challengeId}'].get.responses['200'].content['application/json'].schema;
      assert.ok(timeline.properties.pigeonFlights, 'its part of the timeline');
      assert.ok(timeline.properties.callAttempts && timeline.properties.otpAttempts, "the other modules' parts stay");
      const create = doc.paths['/v1/challenges'].post;
      assert.ok(create.requestBody.content['application/json'].schema.properties.channels.items.enum.includes('pigeon'));
      assert.deepEqual(doc['x-problem-codes'].pigeon_lost, { status: 409, title: 'The pigeon did not come back' });
      // The routes outside the challenge routes that answer with a challenge name the server's channels too.
      const answered = (path: string, method: string) => doc.paths[path][method].responses['200'].content['application/json'].schema.properties;
      for (const [path, method] of [['/v1/challenges/{id}/otp', 'post'], ['/v1/challenges/{id}/stop', 'post'], ['/admin/v1/tenants/{id}/challenges/{challengeId}/stop', 'post']] as const) {
        const properties = answered(path, method);
        assert.ok(properties.channel.anyOf.some((option: { enum?: string[] }) => option.enum?.includes('pigeon')), `${method} ${path}: channel ${JSON.stringify(properties.channel)}`);
        assert.ok(properties.decision.properties.channels.items.enum.includes('pigeon'), `${method} ${path}: decision.channels`);
      }
      const dashboardDay = doc.paths['/admin/v1/tenants/{id}/dashboard'].get.responses['200'].content['application/json'].schema.properties.series.items;
      assert.deepEqual(Object.keys(dashboardDay.properties.pigeon.properties), ['landed', 'landingRate'], 'its dashboard figures');
      assert.ok(dashboardDay.properties.ars, "the ARS module's figures stay");
      // Its part of the dashboard's example, beside the ARS module's (each module declares its own).
      const dashboardExample = doc.paths['/admin/v1/tenants/{id}/dashboard'].get.responses['200'].content['application/json'].example;
      assert.deepEqual(dashboardExample.series[0].pigeon, { landed: 12, landingRate: 0.923 });
      assert.equal(dashboardExample.series[0].ars.answerRate, 0.934);
      // Without the line, none of it.
      const plainDoc: any = await (await fetch(`${plain.url}/openapi.json`)).json();
      assert.equal(plainDoc.paths['/v1/customers/{customerId}/pigeon-loft'], undefined);
      assert.equal(plainDoc['x-problem-codes'].pigeon_lost, undefined);
      assert.equal(plainDoc.paths['/admin/v1/tenants/{id}/dashboard'].get.responses['200'].content['application/json'].example.series[0].pigeon, undefined);
      assert.ok(plainDoc['x-problem-codes'].token_locked, "the shipped modules' codes are listed");
    });

    test("a challenge goes to it when the policy lists it; it ends the challenge; the timeline and the customer summary carry its parts, in the tenant's scope", async () => {
      const { client, tenantId } = await server.createTenant();
      const listed = await putPolicy(server, tenantId, (draft) => {
        draft.channels.pigeon = { enabled: true, maxFlights: 2 };
        draft.channelOrder = ['pigeon'];
      });
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      const created = await client.createChallenge<any>(transferBody({ customerId: 'cust-pigeon' }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.channel, 'pigeon');
      assert.deepEqual(created.body.channelDetails, { instruction: 'Tie the note to the pigeon', maxFlights: 2 });
      // The bank may name it too.
      const named = await client.createChallenge<any>(transferBody({ customerId: 'cust-pigeon', channels: ['pigeon'] }, '3600000'));
      assert.equal(named.status, 201, JSON.stringify(named.body));
      assert.equal(named.body.channel, 'pigeon');
      const id = created.body.id;
      assert.equal((await client.request<any>('POST', `/v1/challenges/${id}/pigeon`, { landed: false })).body.status, 'pending');
      const landed = await client.request<any>('POST', `/v1/challenges/${id}/pigeon`, { landed: true });
      assert.deepEqual(landed.body, { status: 'approved', reason: 'pigeon_landed' });
      const read = await client.request<any>('GET', `/v1/challenges/${id}`);
      assert.equal(read.body.result.channel, 'pigeon');
      assert.equal(typeof read.body.result.receipt, 'string');

      const timeline = await server.admin('GET', `/admin/v1/tenants/${tenantId}/challenges/${id}`);
      assert.equal(timeline.status, 200);
      assert.deepEqual(timeline.body.pigeonFlights, [{ flight: 1, landed: false }, { flight: 2, landed: true }]);
      assert.deepEqual(timeline.body.callAttempts, []);
      assert.equal(timeline.body.otpAttempts, null);
      assert.deepEqual((await server.admin('GET', `/admin/v1/tenants/${tenantId}/challenges/${named.body.id}`)).body.pigeonFlights, []);
      const other = await server.createTenant();
      assert.equal((await server.admin('GET', `/admin/v1/tenants/${other.tenantId}/challenges/${id}`)).status, 404);
      assert.equal((await other.client.request<any>('POST', `/v1/challenges/${id}/pigeon`, { landed: true })).status, 404);

      // The customer summary lists enrolled customers: enroll this one (a security number for ARS).
      assert.equal((await client.request('PUT', '/v1/customers/cust-pigeon/knowledge-secret', { secret: '20478153' })).status, 204);
      const summary = await server.admin('GET', `/admin/v1/tenants/${tenantId}/customers/cust-pigeon`);
      assert.equal(summary.status, 200);
      assert.deepEqual(summary.body.pigeon, { flightsToday: 4 });
      // Its part of the console's customer page, in both languages.
      assert.deepEqual(summary.body.console.pigeon.facts[0].label, { 'en-US': 'Pigeon flights today', 'ko-KR': '오늘 전서구 비행' });
      assert.equal(summary.body.console.ars.locked, false);

      // Its figure on the tenant dashboard, worked out by the module, under its name in every day.
      const dashboard = await server.admin('GET', `/admin/v1/tenants/${tenantId}/dashboard?days=2`);
      assert.equal(dashboard.status, 200, JSON.stringify(dashboard.body));
      assert.deepEqual(dashboard.body.series.map((day: any) => day.pigeon), [{ landed: 0, landingRate: null }, { landed: 1, landingRate: 1 }]);
      assert.deepEqual(dashboard.body.series.at(-1).ars, { ended: 0, answered: 0, approved: 0, answerRate: null, approvalRate: null }, "the other modules' figures stay");
      assert.equal(dashboard.body.series.at(-1).byChannel.pigeon, 2);

      // Without the line, a bank cannot name it.
      const plainTenant = await plain.createTenant();
      assert.equal((await plainTenant.client.createChallenge<any>(transferBody({ customerId: 'cust-pigeon', channels: ['pigeon'] }))).status, 400);
    });

    test('its declared bounds cap a version stored out of them: its own field, and the out-of-band lifetime', async () => {
      const { client, tenantId } = await server.createTenant();
      const { db, policies } = server.running.context;
      const current = await policies.current(tenantId);
      // Written past today's schema (as a version stored before a bound tightened, or through the raw store).
      const document = { ...current.document, challengeTtlSeconds: 3600, channelOrder: ['pigeon'], channels: { ...current.document.channels, pigeon: { enabled: true, maxFlights: 9 } } };
      assert.ok(await db.tx((tx) => policies.put(tx, tenantId, current.version, document as never, 'raw')));
      const created = await client.createChallenge<any>(transferBody({ customerId: 'cust-pigeon' }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.channel, 'pigeon');
      assert.equal(created.body.channelDetails.maxFlights, 5, 'its field, capped by its section');
      assert.equal(Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt), 600_000, 'an out-of-band channel: at most 600 s');
    });

    test('its migrations make its table where it is registered, and nowhere else', async () => {
      const has = async (running: TestServer) => (await running.running.context.db.query<{ found: string | null }>(`SELECT to_regclass('pigeon_lofts')::text AS found`)).rows[0]!.found;
      assert.equal(await has(server), 'pigeon_lofts');
      assert.equal(await has(plain), null);
      const ledger = await server.running.context.db.query<{ name: string }>(`SELECT name FROM schema_migrations WHERE name LIKE 'pigeon%'`);
      assert.deepEqual(ledger.rows, [{ name: 'pigeon_001_lofts.sql' }]);
    });

    test("the console's metadata carries its fields and labels in both languages", async () => {
      const response = await fetch(`${server.url}/admin/assets/channels.json`);
      assert.equal(response.status, 200);
      const metadata: any = await response.json();
      const pigeon = metadata.modules.find((module: { name: string }) => module.name === 'pigeon');
      assert.ok(pigeon, JSON.stringify(metadata.modules.map((module: { name: string }) => module.name)));
      assert.deepEqual(pigeon.console.title, { 'en-US': 'Carrier pigeon', 'ko-KR': '전서구' });
      assert.deepEqual(
        pigeon.console.policyFields.map((field: { field: string; label: unknown }) => [field.field, field.label]),
        [
          ['enabled', { 'en-US': 'Pigeons on', 'ko-KR': '전서구 사용' }],
          ['maxFlights', { 'en-US': 'Flights per challenge', 'ko-KR': '챌린지당 비행 횟수' }],
        ],
      );
      // Its part of the challenge's timeline: a table, its title, empty text and column labels in both languages.
      const [flights] = pigeon.console.timeline;
      assert.deepEqual([flights.key, flights.kind, flights.title, flights.empty], ['pigeonFlights', 'table', { 'en-US': 'Pigeon flights', 'ko-KR': '전서구 비행' }, { 'en-US': 'No flights.', 'ko-KR': '비행 없음.' }]);
      assert.deepEqual(flights.columns[0].label, { 'en-US': 'Flight', 'ko-KR': '비행' });
      // Its dashboard chart: title and figures with their labels, which the dashboard page draws.
      assert.deepEqual(pigeon.dashboard.title, { 'en-US': 'Pigeon landings', 'ko-KR': '전서구 도착' });
      assert.deepEqual(pigeon.dashboard.figures.map((figure: { key: string; kind: string; chart: boolean }) => [figure.key, figure.kind, figure.chart]), [['landed', 'count', true], ['landingRate', 'rate', false]]);
      assert.deepEqual(pigeon.dashboard.figures[0].label, { 'en-US': 'Landed', 'ko-KR': '도착' });
      assert.equal(typeof pigeon.dashboard.compute, 'undefined', 'labels only: no code in the metadata');
      assert.deepEqual(metadata.channelNames, ['ars', 'webauthn', 'otp', 'pigeon']);
      // The ARS module's rates are its own figures too.
      const ars = metadata.modules.find((module: { name: string }) => module.name === 'ars');
      assert.deepEqual(ars.dashboard.figures.filter((figure: { chart: boolean }) => figure.chart).map((figure: { key: string }) => figure.key), ['answerRate', 'approvalRate']);
      const plainMetadata: any = await (await fetch(`${plain.url}/admin/assets/channels.json`)).json();
      assert.deepEqual(plainMetadata.modules.map((module: { name: string }) => module.name).filter((name: string) => name === 'pigeon'), []);
    });
  });
}

test("the console's policy, customers, challenge and dashboard pages name no channel: they render the modules' metadata", () => {
  const pages = ['policy.js', 'customers.js', 'challenges.js', 'dashboard.js'];
  for (const page of pages) {
    const text = readFileSync(new URL(`../../src/console/assets/js/pages/${page}`, import.meta.url), 'utf8');
    for (const name of ['ars', 'otp', 'webauthn', 'callAttempts', 'otpAttempts', 'passkeys', 'otpTokens']) {
      assert.doesNotMatch(text, new RegExp(`\\b${name}\\b`), `${page} names ${name}`);
    }
  }
  for (const locale of ['en-US', 'ko-KR']) {
    const strings = Object.keys(JSON.parse(readFileSync(new URL(`../../src/console/assets/i18n/${locale}.json`, import.meta.url), 'utf8')));
    const channelKeys = strings.filter((key) => /^(calls|otp)\.|^policy\.field\.channels\.|^policy\.group\.calls$|^dashboard\.ars/.test(key));
    assert.deepEqual(channelKeys, [], `${locale}: the channels' labels are their modules'`);
  }
});

test("a database migrated without the line gets only the module's migrations when the line is added", async () => {
  // The suite's dump: the core's and the shipped modules' migrations applied (test/support/pglite-snapshot.ts).
  const db = await createPgliteDb(undefined, { loadDataDir: await migratedPgliteSnapshot(channelModules) });
  try {
    const applied = (await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((row) => row.name);
    assert.deepEqual(applied, migrationFiles(channelModules).map((file) => file.name));
    assert.ok(!applied.includes('pigeon_001_lofts.sql'));
    assert.deepEqual(await migrate(db, channelModules), [], 'nothing new for the same modules');
    assert.deepEqual(await migrate(db, [...channelModules, pigeonModule]), ['pigeon_001_lofts.sql']);
    assert.deepEqual(await migrate(db, [...channelModules, pigeonModule]), []);
  } finally {
    await db.close();
  }
});

test("a module's variable is validated with the core's, and a name is declared once", async () => {
  const { loadConfig } = await import('../../src/config/config.ts');
  const masterKey = Buffer.alloc(32, 7).toString('base64');
  assert.equal(loadConfig({ MASTER_KEY: masterKey }, [pigeonModule]).modules.pigeon?.PIGEON_LOFT_NAME, 'Rooftop');
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey, PIGEON_LOFT_NAME: '' }, [pigeonModule]), /PIGEON_LOFT_NAME/);
  const copycat = { name: 'copycat', config: { PORT: pigeonModule.config!.PIGEON_LOFT_NAME! } };
  assert.throws(() => loadConfig({ MASTER_KEY: masterKey }, [copycat]), /PORT: declared by the copycat module and by the core/);
});

test("the shipped modules' policy sections are the document's built-in sections, in the same order", async () => {
  const { policySectionsOf } = await import('../../src/server/channel-modules.ts');
  const { policyChannelNames, builtInPolicy } = await import('../../src/policy/policy-schema.ts');
  assert.deepEqual(Object.keys(policySectionsOf(channelModules)), policyChannelNames);
  assert.deepEqual(builtInPolicy.channelNames, policyChannelNames);
  // A section is `channels.<module name>`: sectionOf reads it by the section's name, so they must agree.
  assert.throws(() => policySectionsOf([{ ...pigeonModule, name: 'dove' }]), /the dove module's policy section is named pigeon/);
});

test("a module's day in the dashboard's example: what it declares, a figure it leaves out 0 (a count) or null (a rate)", async () => {
  const { dashboardExampleFigures } = await import('../../src/dashboard/dashboard-routes.ts');
  assert.deepEqual(dashboardExampleFigures([pigeonModule]), { pigeon: { landed: 12, landingRate: 0.923 } });
  const { example: _example, ...undeclared } = pigeonModule.dashboard!;
  assert.deepEqual(dashboardExampleFigures([{ name: 'dove', dashboard: undeclared }]), { dove: { landed: 0, landingRate: null } });
  assert.deepEqual(dashboardExampleFigures([{ name: 'dove', dashboard: { ...undeclared, example: { landingRate: 0.5 } } }]), { dove: { landed: 0, landingRate: 0.5 } });
});
