import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { accountSid, controlJson, sdkClient, startAppServer, startSimulator, twiml, waitFor, type AppServerFixture, type SimulatorFixture } from '../src/testing.ts';

describe('simulator Lookup v2 and control API', () => {
  let sim: SimulatorFixture;
  let app: AppServerFixture;

  before(async () => {
    sim = await startSimulator();
    app = await startAppServer();
  });
  after(async () => {
    await sim.close();
    await app.close();
  });
  beforeEach(async () => {
    await controlJson(sim.baseUrl, 'DELETE', '/sim/state');
  });

  it('answers Lookup v2 with what PUT /sim/numbers configured', async () => {
    const put = await controlJson(sim.baseUrl, 'PUT', '/sim/numbers/+8223123456', {
      lineType: 'landline',
      callForwarding: true,
      answer: 'human',
      carrierName: 'KT',
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.number, '+8223123456');
    const lookup = await sim.client.lookups.v2.phoneNumbers('+8223123456').fetch({ fields: 'line_type_intelligence,call_forwarding' });
    assert.equal(lookup.valid, true);
    assert.equal(lookup.phoneNumber, '+8223123456');
    assert.equal(lookup.countryCode, 'KR');
    assert.equal(lookup.callingCountryCode, '82');
    assert.equal(lookup.lineTypeIntelligence?.type, 'landline');
    assert.equal(lookup.lineTypeIntelligence?.carrierName, 'KT');
    assert.equal(lookup.lineTypeIntelligence?.errorCode, null);
    assert.equal(lookup.callForwarding?.callForwardingEnabled, true);
    assert.equal(lookup.callForwarding?.errorCode, null);
    assert.equal(lookup.simSwap, null, 'a data package not asked for is null');

    await controlJson(sim.baseUrl, 'PUT', '/sim/numbers/%2B8223123456', { lineType: 'mobile', callForwarding: false });
    const again = await sim.client.lookups.v2.phoneNumbers('+8223123456').fetch({ fields: 'line_type_intelligence,call_forwarding' });
    assert.equal(again.lineTypeIntelligence?.type, 'mobile');
    assert.equal(again.callForwarding?.callForwardingEnabled, false);
  });

  it('answers unconfigured numbers from the numbering plan, forwarding unknown', async () => {
    const fields = 'line_type_intelligence,call_forwarding,sim_swap';
    const voip = await sim.client.lookups.v2.phoneNumbers('+827012345678').fetch({ fields });
    assert.equal(voip.lineTypeIntelligence?.type, 'nonFixedVoip');
    assert.equal(voip.callForwarding?.callForwardingEnabled, null);
    assert.equal(voip.callForwarding?.errorCode, 60607);
    assert.equal(voip.simSwap?.errorCode, 60607);
    const mobile = await sim.client.lookups.v2.phoneNumbers('+821012345678').fetch({ fields: 'line_type_intelligence' });
    assert.equal(mobile.lineTypeIntelligence?.type, 'mobile');
    assert.equal(mobile.callForwarding, null);
    const national = await sim.client.lookups.v2.phoneNumbers('02-312-3456').fetch({ fields: 'line_type_intelligence', countryCode: 'KR' });
    assert.equal(national.phoneNumber, '+8223123456');
    assert.equal(national.lineTypeIntelligence?.type, 'landline');
    const invalid = await sim.client.lookups.v2.phoneNumbers('+8212').fetch({ fields: 'line_type_intelligence' });
    assert.equal(invalid.valid, false);
    assert.equal(invalid.lineTypeIntelligence, null);
  });

  it('requires Basic auth on Lookup', async () => {
    const wrong = sdkClient(sim.baseUrl, { accountSid, authToken: 'wrong-token-wrong-token' });
    await assert.rejects(wrong.lookups.v2.phoneNumbers('+8223123456').fetch(), (error: any) => error.status === 401 && error.code === 20003);
  });

  it('validates PUT /sim/numbers strictly', async () => {
    const unknownField = await controlJson(sim.baseUrl, 'PUT', '/sim/numbers/+8223123456', { lineType: 'landline', forwarding: true });
    assert.equal(unknownField.status, 400);
    assert.equal(unknownField.body.code, 'validation_failed');
    const badAnswer = await controlJson(sim.baseUrl, 'PUT', '/sim/numbers/+8223123456', { answer: 'maybe' });
    assert.equal(badAnswer.status, 400);
    const badNumber = await controlJson(sim.baseUrl, 'PUT', '/sim/numbers/hello', { answer: 'human' });
    assert.equal(badNumber.status, 400);
    const malformed = await fetch(`${sim.baseUrl}/sim/numbers/+8223123456`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('content-type') ?? '', /application\/problem\+json/);
    const defaults = await controlJson(sim.baseUrl, 'PUT', '/sim/numbers/+8223123456', {});
    assert.deepEqual(defaults.body, { number: '+8223123456', callForwarding: null, answer: 'human' });
  });

  it('lists calls by number and DELETE /sim/state clears numbers and calls', async () => {
    app.route('/voice', twiml('<Gather timeout="600"><Say>Waiting</Say></Gather>'));
    await controlJson(sim.baseUrl, 'PUT', '/sim/numbers/+8223123456', { lineType: 'landline', answer: 'human' });
    const first = await sim.client.calls.create({ to: '+8223123456', from: '+15005550006', url: `${app.baseUrl}/voice` });
    await sim.client.calls.create({ to: '+8223129999', from: '+15005550006', url: `${app.baseUrl}/voice` });
    await waitFor(() => sim.sim.state.getCall(first.sid)?.awaitingDigits, 'gather');
    // A raw '+' in a query string decodes to a space; the control API repairs it.
    for (const query of ['%2B8223123456', '+8223123456']) {
      const { body } = await controlJson(sim.baseUrl, 'GET', `/sim/calls?to=${query}`);
      assert.equal(body.length, 1);
      assert.deepEqual(Object.keys(body[0]).filter((key) => ['sid', 'to', 'from', 'status', 'answeredBy', 'transcript', 'awaitingDigits', 'prompt'].includes(key)).sort(),
        ['answeredBy', 'awaitingDigits', 'from', 'prompt', 'sid', 'status', 'to', 'transcript']);
      assert.equal(body[0].sid, first.sid);
      assert.equal(body[0].prompt, 'Waiting');
      assert.equal(body[0].awaitingDigits, true);
    }
    assert.equal((await controlJson(sim.baseUrl, 'GET', '/sim/calls')).body.length, 2);

    assert.equal((await controlJson(sim.baseUrl, 'DELETE', '/sim/state')).status, 204);
    assert.deepEqual((await controlJson(sim.baseUrl, 'GET', '/sim/calls')).body, []);
    assert.deepEqual((await controlJson(sim.baseUrl, 'GET', '/sim/numbers')).body, []);
    await assert.rejects(sim.client.calls(first.sid).fetch(), (error: any) => error.status === 404);
  });

  it('streams call changes as Server-Sent Events', async () => {
    app.route('/voice', twiml('<Say language="ko-KR">안녕하세요</Say>'));
    const controller = new AbortController();
    const response = await fetch(`${sim.baseUrl}/sim/events`, { signal: controller.signal });
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const call = await sim.client.calls.create({ to: '+8223123456', from: '+15005550006', url: `${app.baseUrl}/voice` });
    try {
      while (!received.includes('"status":"completed"')) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value, { stream: true });
      }
    } finally {
      controller.abort();
    }
    assert.match(received, /event: snapshot\ndata: \[\]/);
    assert.match(received, /event: call\ndata: /);
    assert.ok(received.includes(call.sid));
    assert.ok(received.includes('"language":"ko-KR"'));
  });

  it('serves the softphone page with its keypad and test hooks', async () => {
    const page = await fetch(`${sim.baseUrl}/sim/phone`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await page.text();
    for (const key of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']) assert.ok(html.includes(`data-testid="key-${key}"`), `key ${key}`);
    for (const hook of ['transcript', 'call-status', 'hangup', 'prompt', 'number-input', 'call-select', 'entered-digits']) {
      assert.ok(html.includes(`data-testid="${hook}"`), hook);
    }
    const script = await fetch(`${sim.baseUrl}/sim/phone.js`);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    const source = await script.text();
    assert.ok(source.includes('speechSynthesis'));
    assert.doesNotThrow(() => new Function(source), 'the script parses');
  });
});
