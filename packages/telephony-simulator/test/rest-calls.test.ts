import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import { twilioSignature } from '../src/index.ts';
import { accountSid, authToken, sdkClient, startAppServer, startSimulator, twiml, waitFor, type AppServerFixture, type SimulatorFixture } from '../src/testing.ts';

describe('simulator REST: Calls', () => {
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
  beforeEach(() => {
    sim.sim.state.clear();
    app.hits.length = 0;
  });

  it('creates a call in Twilio JSON shape and sends every requested status callback in order, signed', async () => {
    app.route('/voice', twiml('<Say language="ko-KR">안녕하세요</Say><Say>Goodbye</Say>'));
    const call = await sim.client.calls.create({
      to: '+8223123456',
      from: '+15005550006',
      url: `${app.baseUrl}/voice`,
      statusCallback: `${app.baseUrl}/status?attempt=1`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      statusCallbackMethod: 'POST',
    });
    assert.match(call.sid, /^CA[0-9a-f]{32}$/);
    assert.equal(call.status, 'queued');
    assert.equal(call.direction, 'outbound-api');
    assert.equal(call.to, '+8223123456');
    assert.equal(call.from, '+15005550006');
    assert.equal(call.accountSid, accountSid);
    assert.equal(call.apiVersion, '2010-04-01');
    assert.equal(call.uri, `/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}.json`);
    assert.ok(call.dateCreated instanceof Date && !Number.isNaN(call.dateCreated.getTime()));

    const statuses = await waitFor(() => {
      const hits = app.hitsTo('/status');
      return hits.length === 4 ? hits : undefined;
    }, 'four status callbacks');
    assert.deepEqual(
      statuses.map((hit) => hit.params.CallStatus),
      ['initiated', 'ringing', 'in-progress', 'completed'],
    );
    assert.deepEqual(
      statuses.map((hit) => hit.params.StatusCallbackEvent),
      ['initiated', 'ringing', 'answered', 'completed'],
    );
    assert.deepEqual(statuses.map((hit) => hit.params.SequenceNumber), ['0', '1', '2', '3']);
    for (const hit of statuses) {
      assert.equal(hit.signatureValid, true, 'X-Twilio-Signature validates with twilio.validateRequest');
      assert.equal(hit.params.CallSid, call.sid);
      assert.equal(hit.params.AccountSid, accountSid);
      assert.equal(hit.params.Direction, 'outbound-api');
      assert.equal(hit.params.ApiVersion, '2010-04-01');
      assert.equal(hit.params.CallbackSource, 'call-progress-events');
      assert.equal(hit.params.From, '+15005550006');
      assert.equal(hit.params.To, '+8223123456');
      assert.match(hit.params.Timestamp ?? '', /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
      assert.equal(hit.url, `${app.baseUrl}/status?attempt=1`);
    }
    assert.match(statuses[3]?.params.CallDuration ?? '', /^\d+$/);
    assert.equal(statuses[0]?.params.CallDuration, undefined);

    const [voice] = app.hitsTo('/voice');
    assert.equal(voice?.method, 'POST');
    assert.equal(voice?.signatureValid, true);
    assert.equal(voice?.params.CallStatus, 'in-progress');
    assert.equal(voice?.params.AnsweredBy, undefined, 'no AnsweredBy without MachineDetection');

    const fetched = await sim.client.calls(call.sid).fetch();
    assert.equal(fetched.status, 'completed');
    assert.equal(fetched.answeredBy, null);
    assert.ok(fetched.endTime instanceof Date);
    const [view] = sim.sim.state.listCalls('+8223123456');
    assert.deepEqual(view?.transcript, ['안녕하세요', 'Goodbye']);
    assert.equal(view?.lines[0]?.language, 'ko-KR');
  });

  it('lists calls newest first, filtered by To and From (Calls list, as the SDK reads it)', async () => {
    app.route('/voice', twiml('<Say>Hello</Say>'));
    const first = await sim.client.calls.create({ to: '+8223123456', from: '+15005550006', url: `${app.baseUrl}/voice` });
    const second = await sim.client.calls.create({ to: '+8223123456', from: '+15005550006', url: `${app.baseUrl}/voice` });
    await sim.client.calls.create({ to: '+8223999999', from: '+15005550006', url: `${app.baseUrl}/voice` });
    await sim.client.calls.create({ to: '+8223123456', from: '+15005550007', url: `${app.baseUrl}/voice` });
    const listed = await sim.client.calls.list({ to: '+8223123456', from: '+15005550006', limit: 20 });
    assert.deepEqual(listed.map((call) => call.sid), [second.sid, first.sid]);
    assert.ok(listed.every((call) => call.dateCreated instanceof Date));
  });

  it('sends only completed when no StatusCallbackEvent is given', async () => {
    app.route('/voice', twiml('<Say>Hi</Say>'));
    const call = await sim.client.calls.create({ to: '+8223123456', from: '+15005550006', url: `${app.baseUrl}/voice`, statusCallback: `${app.baseUrl}/status` });
    const [completed] = await waitFor(() => app.hitsTo('/status').length === 1 && app.hitsTo('/status'), 'completed callback');
    assert.equal(completed?.params.CallStatus, 'completed');
    assert.equal(completed?.params.SequenceNumber, '0');
    // Every callback the call queued has been delivered: none other than completed was sent.
    await sim.sim.engine.callbacks.drained(call.sid);
    assert.equal(app.hitsTo('/status').length, 1);
  });

  it('fetches TwiML with GET when Method=GET, parameters in the query string, signature over the full URL', async () => {
    app.route('/voice-get', twiml('<Say>Hello</Say>'));
    await sim.client.calls.create({ to: '+8223123456', from: '+15005550006', url: `${app.baseUrl}/voice-get?x=1`, method: 'GET' });
    const [hit] = await waitFor(() => app.hitsTo('/voice-get').length > 0 && app.hitsTo('/voice-get'), 'GET TwiML fetch');
    assert.equal(hit?.method, 'GET');
    assert.equal(hit?.params.x, '1');
    assert.equal(hit?.params.CallStatus, 'in-progress');
    assert.equal(hit?.signatureValid, true);
  });

  it('runs inline Twiml', async () => {
    const call = await sim.client.calls.create({ to: '+8223123456', from: '+15005550006', twiml: '<Response><Say>Inline</Say></Response>' });
    await waitFor(() => sim.sim.state.getCall(call.sid)?.status === 'completed', 'completion');
    assert.deepEqual(sim.sim.state.getCall(call.sid)?.transcript, ['Inline']);
  });

  it('rejects wrong Basic auth with Twilio error 20003', async () => {
    const wrong = sdkClient(sim.baseUrl, { accountSid, authToken: 'not-the-token' });
    await assert.rejects(wrong.calls.create({ to: '+8223123456', from: '+15005550006', url: `${app.baseUrl}/voice` }), (error: any) => {
      assert.equal(error.status, 401);
      assert.equal(error.code, 20003);
      return true;
    });
    const raw = await fetch(`${sim.baseUrl}/2010-04-01/Accounts/${accountSid}/Calls.json`, { method: 'POST' });
    assert.equal(raw.status, 401);
    const body = (await raw.json()) as Record<string, unknown>;
    assert.equal(body.code, 20003);
    assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20003');
  });

  it('answers bad input with Twilio error JSON', async () => {
    await assert.rejects(sim.client.calls.create({ to: 'not-a-number', from: '+15005550006', url: `${app.baseUrl}/voice` }), (error: any) => {
      assert.equal(error.status, 400);
      assert.equal(error.code, 21211);
      assert.equal(error.moreInfo, 'https://www.twilio.com/docs/errors/21211');
      return true;
    });
    await assert.rejects(sim.client.calls.create({ to: '+8223123456', from: '+15005550006' } as never), (error: any) => error.code === 21205);
    await assert.rejects(
      sim.client.calls.create({ to: '+8223123456', from: '+15005550006', url: `${app.baseUrl}/v`, statusCallbackEvent: ['bogus'] }),
      (error: any) => error.code === 21626,
    );
    await assert.rejects(sim.client.calls('CA00000000000000000000000000000000').fetch(), (error: any) => error.status === 404 && error.code === 20404);
  });

  it('signs with the algorithm twilio.validateRequest checks (HMAC-SHA1 over URL + sorted params)', () => {
    const url = 'https://stepup.example/twilio/voice?attempt=2';
    const params = { To: '+8223123456', Digits: '1234', CallSid: 'CA1' };
    const signature = twilioSignature(authToken, url, params);
    const byHand = createHmac('sha1', authToken).update(`${url}CallSidCA1Digits1234To+8223123456`).digest('base64');
    assert.equal(signature, byHand);
    assert.equal(twilio.validateRequest(authToken, signature, url, params), true);
    assert.equal(twilio.validateRequest(authToken, signature, url, { ...params, Digits: '9999' }), false);
  });
});
