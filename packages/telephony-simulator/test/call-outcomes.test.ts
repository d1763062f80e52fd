import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { controlJson, startAppServer, startSimulator, twiml, waitFor, type AppServerFixture, type SimulatorFixture } from '../src/testing.ts';

const from = '+15005550006';

describe('simulator call outcomes: busy, no-answer, failed, machine, cancel', () => {
  let sim: SimulatorFixture;
  let app: AppServerFixture;

  before(async () => {
    sim = await startSimulator();
    app = await startAppServer();
    app.route('/voice', twiml('<Say>Hello</Say>'));
  });
  after(async () => {
    await sim.close();
    await app.close();
  });
  beforeEach(async () => {
    assert.equal((await controlJson(sim.baseUrl, 'DELETE', '/sim/state')).status, 204);
    app.hits.length = 0;
  });

  async function configure(number: string, answer: string): Promise<void> {
    const response = await controlJson(sim.baseUrl, 'PUT', `/sim/numbers/${encodeURIComponent(number)}`, { lineType: 'landline', callForwarding: false, answer });
    assert.equal(response.status, 200);
  }

  const allEvents = ['initiated', 'ringing', 'answered', 'completed'];

  for (const [answer, expectedEvents] of [
    ['busy', ['initiated', 'busy']],
    ['failed', ['initiated', 'failed']],
    ['no-answer', ['initiated', 'ringing', 'no-answer']],
  ] as const) {
    it(`ends with CallStatus=${answer} when the number answers "${answer}"`, async () => {
      const to = '+8223120001';
      await configure(to, answer);
      const call = await sim.client.calls.create({ to, from, url: `${app.baseUrl}/voice`, statusCallback: `${app.baseUrl}/status`, statusCallbackEvent: allEvents, timeout: 30 });
      const hits = await waitFor(() => {
        const found = app.hitsTo('/status');
        return found.at(-1)?.params.StatusCallbackEvent === 'completed' ? found : undefined;
      }, 'final status callback');
      assert.deepEqual(hits.map((hit) => hit.params.CallStatus), expectedEvents);
      assert.equal(hits.at(-1)?.params.CallDuration, '0');
      assert.ok(hits.every((hit) => hit.signatureValid));
      assert.equal(app.hitsTo('/voice').length, 0, 'no TwiML is fetched for an unanswered call');
      const fetched = await sim.client.calls(call.sid).fetch();
      assert.equal(fetched.status, answer);
      const { body } = await controlJson(sim.baseUrl, 'GET', `/sim/calls?to=${encodeURIComponent(to)}`);
      assert.equal(body[0].status, answer);
      assert.deepEqual(body[0].transcript, []);
    });
  }

  it('passes AnsweredBy=human in the TwiML fetch with MachineDetection=Enable', async () => {
    const to = '+8223120002';
    await configure(to, 'human');
    const call = await sim.client.calls.create({ to, from, url: `${app.baseUrl}/voice`, machineDetection: 'Enable' });
    const [hit] = await waitFor(() => app.hitsTo('/voice').length > 0 && app.hitsTo('/voice'), 'TwiML fetch');
    assert.equal(hit?.params.AnsweredBy, 'human');
    await waitFor(() => sim.sim.state.getCall(call.sid)?.status === 'completed', 'completion');
    assert.equal((await sim.client.calls(call.sid).fetch()).answeredBy, 'human');
  });

  it('reports AnsweredBy=unknown for a number that answers "unknown", and its callee can press keys', async () => {
    const to = '+8223120005';
    await configure(to, 'unknown');
    // The Gather listens long enough for the test to press after it saw the call ask (600 s at this
    // file's scale is 6 s; the default 5 s was 50 ms, and a busy machine missed it with 409
    // not_awaiting_digits). Nothing here waits for it to run out.
    app.route('/unsure', twiml(`<Gather numDigits="1" timeout="600" action="${app.baseUrl}/pressed"><Say>Press 1</Say></Gather>`));
    app.route('/pressed', twiml('<Say>Thanks</Say>'));
    for (const machineDetection of ['Enable', 'DetectMessageEnd'] as const) {
      app.hits.length = 0;
      const call = await sim.client.calls.create({ to, from, url: `${app.baseUrl}/unsure`, machineDetection });
      await waitFor(() => sim.sim.state.getCall(call.sid)?.awaitingDigits, 'the Gather');
      assert.equal(app.hitsTo('/unsure')[0]?.params.AnsweredBy, 'unknown');
      assert.equal((await controlJson(sim.baseUrl, 'POST', `/sim/calls/${call.sid}/digits`, { digits: '1' })).status, 200);
      await waitFor(() => sim.sim.state.getCall(call.sid)?.status === 'completed', 'completion');
      assert.equal(app.hitsTo('/pressed')[0]?.params.Digits, '1');
      assert.equal(app.hitsTo('/pressed')[0]?.params.AnsweredBy, 'unknown');
    }
  });

  it('reports a machine as machine_start (Enable) or machine_end_beep (DetectMessageEnd)', async () => {
    const to = '+8223120003';
    await configure(to, 'machine');
    app.route('/amd', (params) => (params.AnsweredBy === 'human' ? twiml('<Say>Details</Say>') : twiml('<Hangup/>')));
    for (const [machineDetection, expected] of [['Enable', 'machine_start'], ['DetectMessageEnd', 'machine_end_beep']] as const) {
      app.hits.length = 0;
      const call = await sim.client.calls.create({ to, from, url: `${app.baseUrl}/amd`, machineDetection, statusCallback: `${app.baseUrl}/status` });
      await waitFor(() => app.hitsTo('/status').length > 0, 'completed callback');
      assert.equal(app.hitsTo('/amd')[0]?.params.AnsweredBy, expected);
      assert.equal(app.hitsTo('/status')[0]?.params.AnsweredBy, expected);
      const { body } = await controlJson(sim.baseUrl, 'GET', `/sim/calls/${call.sid}`);
      assert.equal(body.answeredBy, expected);
      assert.deepEqual(body.transcript, [], 'nothing is read to a machine');
    }
  });

  it('posts the AMD result to AsyncAmdStatusCallback with AsyncAmd=true', async () => {
    const to = '+8223120004';
    await configure(to, 'machine');
    app.route('/long', twiml('<Pause length="600"/>'));
    const call = await sim.client.calls.create({
      to,
      from,
      url: `${app.baseUrl}/long`,
      machineDetection: 'Enable',
      asyncAmd: 'true',
      asyncAmdStatusCallback: `${app.baseUrl}/amd-result`,
    });
    const [fetch] = await waitFor(() => app.hitsTo('/long').length > 0 && app.hitsTo('/long'), 'TwiML fetch');
    assert.equal(fetch?.params.AnsweredBy, undefined, 'async AMD: TwiML is fetched before detection ends');
    const [result] = await waitFor(() => app.hitsTo('/amd-result').length > 0 && app.hitsTo('/amd-result'), 'async AMD callback');
    assert.equal(result?.params.AnsweredBy, 'machine_start');
    assert.equal(result?.params.CallSid, call.sid);
    assert.equal(result?.signatureValid, true);
    await sim.client.calls(call.sid).update({ status: 'completed' });
  });

  it('cancels a ringing call with Status=canceled', async () => {
    const slow = await startSimulator({ ringDelayMs: 10_000 });
    try {
      const call = await slow.client.calls.create({ to: '+8223120005', from, url: `${app.baseUrl}/voice`, statusCallback: `${app.baseUrl}/status` });
      await waitFor(() => slow.sim.state.getCall(call.sid)?.status === 'ringing', 'ringing');
      const updated = await slow.client.calls(call.sid).update({ status: 'canceled' });
      assert.equal(updated.status, 'canceled');
      const [status] = await waitFor(() => app.hitsTo('/status').length > 0 && app.hitsTo('/status'), 'completed callback');
      assert.equal(status?.params.CallStatus, 'canceled');
      assert.equal(app.hitsTo('/voice').length, 0);
    } finally {
      await slow.close();
    }
  });

  it('lets the callee hang up from the softphone', async () => {
    app.route('/long', twiml('<Gather timeout="600"><Say>Waiting</Say></Gather>'));
    const call = await sim.client.calls.create({ to: '+8223120006', from, url: `${app.baseUrl}/long`, statusCallback: `${app.baseUrl}/status` });
    await waitFor(() => sim.sim.state.getCall(call.sid)?.awaitingDigits, 'gather');
    const response = await controlJson(sim.baseUrl, 'POST', `/sim/calls/${call.sid}/hangup`, {});
    assert.equal(response.status, 200);
    assert.equal(response.body.status, 'completed');
    const [status] = await waitFor(() => app.hitsTo('/status').length > 0 && app.hitsTo('/status'), 'completed callback');
    assert.equal(status?.params.CallStatus, 'completed');
  });
});
