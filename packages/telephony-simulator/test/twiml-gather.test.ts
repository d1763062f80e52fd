import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { controlJson, startAppServer, startSimulator, twiml, waitFor, type AppServerFixture, type SimulatorFixture } from '../src/testing.ts';

const to = '+8223123456';
const from = '+15005550006';

describe('simulator TwiML: Gather, Redirect, Hangup', () => {
  let sim: SimulatorFixture;
  let app: AppServerFixture;

  before(async () => {
    // A 5 s Gather timeout lasts 50 ms here.
    sim = await startSimulator({ gatherTimeoutScale: 0.01 });
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

  async function place(path: string, extra: Record<string, unknown> = {}): Promise<string> {
    const call = await sim.client.calls.create({ to, from, url: `${app.baseUrl}${path}`, statusCallback: `${app.baseUrl}/status`, ...extra });
    return call.sid;
  }

  async function awaitingCall(sid: string): Promise<any> {
    return waitFor(async () => {
      const { body } = await controlJson(sim.baseUrl, 'GET', `/sim/calls?to=${encodeURIComponent(to)}`);
      const view = body.find((call: any) => call.sid === sid);
      return view?.awaitingDigits ? view : undefined;
    }, 'call awaiting digits');
  }

  const completed = (sid: string) => waitFor(() => sim.sim.state.getCall(sid)?.status === 'completed', 'call completed');

  it('posts Digits to the action and continues with the returned TwiML', async () => {
    app.route('/voice', twiml(
      '<Say>Transfer of 3,500,000 won</Say>' +
      '<Gather numDigits="4" timeout="600" action="/gathered?attempt=1" method="POST"><Say language="ko-KR">네 자리를 누르세요</Say></Gather>' +
      '<Say>never reached</Say>',
    ));
    app.route('/gathered', twiml('<Say>Approved</Say><Hangup/>'));
    const sid = await place('/voice');
    const view = await awaitingCall(sid);
    assert.equal(view.prompt, '네 자리를 누르세요');
    assert.deepEqual(view.transcript, ['Transfer of 3,500,000 won', '네 자리를 누르세요']);
    assert.equal(view.numDigits, 4);
    assert.equal(view.status, 'in-progress');

    const pressed = await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: '2568' });
    assert.equal(pressed.status, 200);
    await completed(sid);
    const [action] = app.hitsTo('/gathered');
    assert.equal(action?.method, 'POST');
    assert.equal(action?.url, `${app.baseUrl}/gathered?attempt=1`);
    assert.equal(action?.params.Digits, '2568');
    assert.equal(action?.params.FinishedOnKey, '');
    assert.equal(action?.params.CallSid, sid);
    assert.equal(action?.params.CallStatus, 'in-progress');
    assert.equal(action?.signatureValid, true);
    const call = sim.sim.state.getCall(sid);
    assert.deepEqual(call?.transcript, ['Transfer of 3,500,000 won', '네 자리를 누르세요', 'Approved']);
    assert.equal(call?.awaitingDigits, false);
    assert.equal(call?.prompt, null);
  });

  it('accumulates keys pressed one at a time and ends on finishOnKey (not part of Digits)', async () => {
    app.route('/voice', twiml('<Gather timeout="600" action="/gathered"><Say>Enter digits then pound</Say></Gather>'));
    app.route('/gathered', twiml('<Hangup/>'));
    const sid = await place('/voice');
    await awaitingCall(sid);
    for (const key of ['1', '2', '*']) {
      assert.equal((await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: key })).status, 200);
    }
    assert.equal(sim.sim.state.getCall(sid)?.pendingDigits, '12*');
    await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: '#' });
    await completed(sid);
    const [action] = app.hitsTo('/gathered');
    assert.equal(action?.params.Digits, '12*');
    assert.equal(action?.params.FinishedOnKey, '#');
  });

  it('honours a custom finishOnKey and drops keys typed after the Gather ended', async () => {
    app.route('/voice', twiml('<Gather finishOnKey="*" timeout="600" action="/gathered"><Say>Press star to finish</Say></Gather>'));
    app.route('/gathered', twiml('<Hangup/>'));
    const sid = await place('/voice');
    await awaitingCall(sid);
    await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: '90#*55' });
    await completed(sid);
    const [action] = app.hitsTo('/gathered');
    assert.equal(action?.params.Digits, '90#');
    assert.equal(action?.params.FinishedOnKey, '*');
  });

  it('defaults the action to the current document URL', async () => {
    app.route('/menu', (params) =>
      params.Digits === undefined ? twiml('<Gather numDigits="1" timeout="600"><Say>Press 1</Say></Gather>') : twiml(`<Say>You pressed ${params.Digits}</Say>`),
    );
    const sid = await place('/menu');
    await awaitingCall(sid);
    await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: '1' });
    await completed(sid);
    const hits = app.hitsTo('/menu');
    assert.equal(hits.length, 2);
    assert.equal(hits[1]?.params.Digits, '1');
    assert.deepEqual(sim.sim.state.getCall(sid)?.transcript, ['Press 1', 'You pressed 1']);
  });

  it('falls through to the next verb when the Gather times out without digits', async () => {
    app.route('/voice', twiml('<Gather numDigits="4" timeout="5" action="/gathered"><Say>Enter four digits</Say></Gather><Say>We did not receive any input</Say>'));
    const sid = await place('/voice');
    await completed(sid);
    assert.equal(app.hitsTo('/gathered').length, 0);
    assert.deepEqual(sim.sim.state.getCall(sid)?.transcript, ['Enter four digits', 'We did not receive any input']);
  });

  it('posts an empty Digits to the action on timeout with actionOnEmptyResult="true"', async () => {
    app.route('/voice', twiml('<Gather numDigits="4" timeout="5" action="/gathered" actionOnEmptyResult="true"><Say>Enter four digits</Say></Gather><Say>not reached</Say>'));
    app.route('/gathered', twiml('<Say>No input</Say>'));
    const sid = await place('/voice');
    await completed(sid);
    const [action] = app.hitsTo('/gathered');
    assert.equal(action?.params.Digits, '');
    assert.deepEqual(sim.sim.state.getCall(sid)?.transcript, ['Enter four digits', 'No input']);
  });

  it('submits digits typed so far when the timeout passes before numDigits', async () => {
    // 300 s at this file's scale is 3 s: time for the test to press after it saw the call ask, on a busy
    // machine (with 200 ms the gather timed out first, empty); then 3 s after the two digits, it submits them.
    app.route('/voice', twiml('<Gather numDigits="4" timeout="300" action="/gathered"><Say>Enter four digits</Say></Gather>'));
    app.route('/gathered', twiml('<Hangup/>'));
    const sid = await place('/voice');
    await awaitingCall(sid);
    await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: '25' });
    await waitFor(() => sim.sim.state.getCall(sid)?.status === 'completed', 'call completed', 15_000);
    assert.equal(app.hitsTo('/gathered')[0]?.params.Digits, '25');
  });

  it('follows Redirect (with its method) and resolves relative URLs against the document', async () => {
    app.route('/voice', twiml('<Say>One</Say><Redirect method="GET">/next?step=2</Redirect><Say>not reached</Say>'));
    app.route('/next', twiml('<Say>Two</Say>'));
    const sid = await place('/voice');
    await completed(sid);
    const [next] = app.hitsTo('/next');
    assert.equal(next?.method, 'GET');
    assert.equal(next?.params.step, '2');
    assert.equal(next?.signatureValid, true);
    assert.deepEqual(sim.sim.state.getCall(sid)?.transcript, ['One', 'Two']);
  });

  it('Hangup ends the call at once; Play and Pause are played in order', async () => {
    app.route('/voice', twiml('<Play>https://cdn.example/tone.mp3</Play><Pause length="1"/><Say>Bye</Say><Hangup/><Say>not reached</Say>'));
    const sid = await place('/voice');
    await completed(sid);
    assert.deepEqual(sim.sim.state.getCall(sid)?.transcript, ['[play https://cdn.example/tone.mp3]', 'Bye']);
    const status = await waitFor(() => app.hitsTo('/status')[0], 'completed callback');
    assert.equal(status.params.CallStatus, 'completed');
  });

  it('Reject ends an answered outbound call like Hangup', async () => {
    app.route('/voice', twiml('<Reject reason="busy"/><Say>not reached</Say>'));
    const sid = await place('/voice');
    await completed(sid);
    assert.deepEqual(sim.sim.state.getCall(sid)?.transcript, []);
  });

  it('answers 409 to digits when no Gather is listening', async () => {
    app.route('/voice', twiml('<Pause length="600"/>'));
    const sid = await place('/voice');
    await waitFor(() => sim.sim.state.getCall(sid)?.status === 'in-progress', 'answer');
    const response = await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: '1' });
    assert.equal(response.status, 409);
    assert.equal(response.body.code, 'not_awaiting_digits');
    const unknown = await controlJson(sim.baseUrl, 'POST', '/sim/calls/CAnope/digits', { digits: '1' });
    assert.equal(unknown.status, 404);
    const invalid = await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: '12a' });
    assert.equal(invalid.status, 400);
    await sim.client.calls(sid).update({ status: 'completed' });
  });

  it('Calls update Status=completed hangs up mid-Gather', async () => {
    app.route('/voice', twiml('<Gather numDigits="4" timeout="600" action="/gathered"><Say>Enter four digits</Say></Gather>'));
    const sid = await place('/voice');
    await awaitingCall(sid);
    const updated = await sim.client.calls(sid).update({ status: 'completed' });
    assert.equal(updated.status, 'completed');
    const status = await waitFor(() => app.hitsTo('/status')[0], 'completed callback');
    assert.equal(status.params.CallStatus, 'completed');
    assert.equal(sim.sim.state.getCall(sid)?.awaitingDigits, false);
    assert.equal((await controlJson(sim.baseUrl, 'POST', `/sim/calls/${sid}/digits`, { digits: '1234' })).status, 409);
    assert.equal(app.hitsTo('/gathered').length, 0);
  });

  it('Calls update with Url redirects a call in progress; a finished call cannot be redirected', async () => {
    app.route('/voice', twiml('<Gather numDigits="4" timeout="600"><Say>Enter four digits</Say></Gather>'));
    app.route('/expired', twiml('<Say>This request has expired</Say><Hangup/>'));
    const sid = await place('/voice');
    await awaitingCall(sid);
    await sim.client.calls(sid).update({ url: `${app.baseUrl}/expired`, method: 'POST' });
    await completed(sid);
    assert.deepEqual(sim.sim.state.getCall(sid)?.transcript, ['Enter four digits', 'This request has expired']);
    await assert.rejects(sim.client.calls(sid).update({ url: `${app.baseUrl}/expired` }), (error: any) => error.code === 21220);
  });

  it('ends the call with an application error when the TwiML cannot be fetched or parsed', async () => {
    app.route('/broken', '<Response><Say>unclosed</Response>');
    const sid = await place('/broken');
    await completed(sid);
    assert.equal(sim.sim.state.getCall(sid)?.errors[0]?.code, 12100);
    const missing = await place('/nothing-here');
    await completed(missing);
    assert.equal(sim.sim.state.getCall(missing)?.errors[0]?.code, 11200);
  });

  it('accepts digits during a slow nested Say (barge-in) when speaking time is simulated', async () => {
    const slow = await startSimulator({ sayMsPerChar: 100, gatherTimeoutScale: 0.01 });
    try {
      app.route('/slow', twiml('<Gather numDigits="2" timeout="600" action="/slow-done"><Say>This prompt takes several seconds to read aloud</Say></Gather>'));
      app.route('/slow-done', twiml('<Hangup/>'));
      const call = await slow.client.calls.create({ to, from, url: `${app.baseUrl}/slow` });
      await waitFor(() => slow.sim.state.getCall(call.sid)?.awaitingDigits, 'gather');
      const started = Date.now();
      assert.equal((await controlJson(slow.baseUrl, 'POST', `/sim/calls/${call.sid}/digits`, { digits: '42' })).status, 200);
      await waitFor(() => slow.sim.state.getCall(call.sid)?.status === 'completed', 'completion');
      assert.ok(Date.now() - started < 2000, 'the Say was cut short');
      assert.equal(app.hitsTo('/slow-done')[0]?.params.Digits, '42');
    } finally {
      await slow.close();
    }
  });

  it('stops the nested Say at the first key, so a lone key is sent one timeout after it is pressed (Twilio barge-in)', async () => {
    // 46 characters at 200 ms each: the prompt would take about 9 s to read.
    const slow = await startSimulator({ sayMsPerChar: 200, gatherTimeoutScale: 1 });
    try {
      app.route('/lone', twiml('<Gather numDigits="4" timeout="1" action="/lone-done"><Say>This prompt takes several seconds to read aloud</Say></Gather>'));
      app.route('/lone-done', twiml('<Hangup/>'));
      const call = await slow.client.calls.create({ to, from, url: `${app.baseUrl}/lone` });
      await waitFor(() => slow.sim.state.getCall(call.sid)?.awaitingDigits, 'gather');
      const pressedAt = Date.now();
      assert.equal((await controlJson(slow.baseUrl, 'POST', `/sim/calls/${call.sid}/digits`, { digits: '*' })).status, 200);
      // The view says when the keys will be sent, for the softphone's countdown.
      const view = slow.sim.state.getCall(call.sid);
      assert.equal(view?.pendingDigits, '*');
      assert.ok(view?.submitAt !== null && view?.submitAt !== undefined, 'a pending key has a submit time');
      assert.ok(Math.abs(Date.parse(view.submitAt) - (pressedAt + 1000)) < 500, `submitAt ${view.submitAt} is one timeout after the key`);
      await waitFor(() => app.hitsTo('/lone-done')[0], 'the action', 4000);
      const elapsed = Date.now() - pressedAt;
      assert.ok(elapsed >= 900 && elapsed < 2500, `the lone key was sent ${elapsed} ms after it was pressed (timeout 1 s)`);
      assert.equal(app.hitsTo('/lone-done')[0]?.params.Digits, '*');
    } finally {
      await slow.close();
    }
  });
});
