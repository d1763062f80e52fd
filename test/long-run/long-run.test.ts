// test: slow, about 25 s
// The long-run suite (docs/reliability.md "Time as a tested dimension"): the demo's configuration —
// embedded PGlite, every role in one process, the telephony simulator — driven through every flow
// (ARS approve, deny and `*`, OTP, passkey, cancel, expiry, event delivery, receipts checked against
// the published keys) while its clock jumps past every cache refresh and lifetime: 70 s (receipt key,
// tenant, policy and API-key caches), 10 min (challenge lifetime, console idle timeout), 1 h and 25 h
// (idempotency keys, the day of the daily total), with a receipt-key rotation on the way. Every test
// server before this one answered only in its first minute; the embedded database hung in its second.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { StepupClient } from '../../src/client/stepup-client.ts';
import { generateOcra } from '../../src/channels/otp/ocra.ts';
import { deriveOcraQuestion } from '../../src/channels/otp/ocra-question.ts';
import { JumpClock } from '../../src/time/clock.ts';
import { eventually, middayClockOffsetMs } from '../support/test-server.ts';
import { within } from '../support/within.ts';
import { eventSink } from '../support/event-sink.ts';
import { standardKey32 } from '../otp/rfc-keys.ts';
import { hex, importToken, otpTransfer } from '../otp-channel/otp-support.ts';
import { answerFor, arsChallenge, enroll, fastArs, press, seoulLandline, setArsPolicy, startSim, twilioEnv, waitForAsk, waitForStatus, wrongAnswerFor, type SimFixture } from '../ars/ars-fixture.ts';
import { createPasskeyChallenge, getPage, newAuthenticator, postPage, registerPasskey, startWebAuthnServer, type WebAuthnTestServer } from '../webauthn/webauthn-support.ts';
import { signIn, type ConsoleSessionClient } from '../console/console-client.ts';

// A counter suite whose question carries payee and amount (the default binding, docs/otp-question-derivation.md).
const suite = 'OCRA-1:HOTP-SHA256-8:C-QN16';
const payeeAccount = '110-123-456789';
const ocraCode = (counter: number) => {
  const derived = deriveOcraQuestion({ suite, derivation: 'payee_account_amount', payeeAccount, amountMinorUnits: '3500000' });
  assert.ok(derived.ok);
  return generateOcra({ suite, key: standardKey32, question: derived.question, counter });
};

/** Each phase jumps the clock by `jumpMs` from the previous one. */
const phases = [
  { label: 'at start', jumpMs: 0 },
  { label: 'after 70 s', jumpMs: 70_000 },
  { label: 'after 10 min', jumpMs: 530_000 },
  { label: 'after 1 h', jumpMs: 3_000_000 },
  { label: 'after 25 h', jumpMs: 86_400_000 },
];

describe('long run: the demo configuration through every flow while its clock moves past every refresh', { timeout: 900_000, concurrency: 1 }, () => {
  // Noon in Seoul at the start, so no phase but the last crosses a day.
  const clock = new JumpClock(middayClockOffsetMs());
  let sim: SimFixture;
  let server: WebAuthnTestServer;
  let sink: Awaited<ReturnType<typeof eventSink>>;
  let client: StepupClient;
  let webhookSecret: string;
  let consoleSession: ConsoleSessionClient;
  let authenticator: ReturnType<typeof newAuthenticator>;
  let otpCounter = 0;
  /** Every challenge that ended, with the status it ended in: each must reach the bank as one signed event. */
  const ended = new Map<string, string>();
  /** Receipts to check against the published keys at the end (after a rotation too). */
  const receipts: string[] = [];
  /** A challenge left to expire while the clock jumps to the next phase. */
  let leftToExpire: string | undefined;

  before(async () => {
    sim = await startSim();
    server = await startWebAuthnServer({ db: 'pglite', clock: clock.now, env: twilioEnv(sim) });
    sink = await eventSink();
    // Maker-checker off: the suite's fast ARS settings are test set-up, not a change under review.
    const tenant = await server.admin('POST', '/admin/v1/tenants', { name: 'Long Run Bank', bankName: 'Long Run Bank', allowLoopbackCallbacks: true, defaultCallbackUrl: sink.url, policyApproval: { required: false } });
    assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
    webhookSecret = tenant.body.webhookSecret;
    const key = await server.admin('POST', `/admin/v1/tenants/${tenant.body.id}/keys`, {});
    client = new StepupClient({ baseUrl: server.url, publicBaseUrl: server.publicBaseUrl, credentials: { keyId: key.body.keyId, secret: key.body.secret }, clock: clock.now });
    // One wrong answer ends a call (the deny flow), and no cap gets in the way of five phases.
    await setArsPolicy(server, tenant.body.id, { ...fastArs, maxAnswersPerCall: 1 });
    await enroll(client, 'cust-ars');
    await importToken(client, 'cust-otp', { type: 'ocra', suite, secretHex: hex(standardKey32) });
    authenticator = newAuthenticator(server);
    await registerPasskey(server, client, 'cust-passkey', authenticator);
    consoleSession = await signIn(server, server.adminToken, server.publicBaseUrl);
  });

  after(async () => {
    await server?.close();
    await sim?.close();
    sink?.server.close();
  });

  const remember = (challenge: any) => {
    ended.set(challenge.id, challenge.status);
    if (challenge.result?.receipt) receipts.push(challenge.result.receipt);
    return challenge;
  };

  for (const phase of phases) {
    test(`every flow ${phase.label}`, async () => {
      clock.advance(phase.jumpMs);
      const step = <T>(what: string, promise: Promise<T>) => within(60_000, promise, `${what} ${phase.label}`);

      // ARS: `*` reports fraud, a wrong answer denies, the right answer approves.
      const reported = await step('ARS challenge', arsChallenge(client, 'cust-ars'));
      let call = await step('the call asking', waitForAsk(sim, seoulLandline, callIndex()));
      await press(sim, call.sid, '*#');
      const denied = remember(await step('the * report', waitForStatus(client, reported.id)));
      assert.equal(denied.status, 'denied');
      assert.equal(denied.result.fraudReported, true);

      const wrong = await step('ARS challenge', arsChallenge(client, 'cust-ars'));
      call = await step('the call asking', waitForAsk(sim, seoulLandline, callIndex()));
      await press(sim, call.sid, wrongAnswerFor(call.prompt));
      const deniedWrong = remember(await step('the wrong answer', waitForStatus(client, wrong.id)));
      assert.equal(deniedWrong.status, 'denied');
      assert.equal(deniedWrong.result.reason, 'too_many_failures');

      const right = await step('ARS challenge', arsChallenge(client, 'cust-ars'));
      call = await step('the call asking', waitForAsk(sim, seoulLandline, callIndex()));
      await press(sim, call.sid, answerFor(call.prompt));
      const approved = remember(await step('the right answer', waitForStatus(client, right.id)));
      assert.equal(approved.status, 'approved');
      assert.equal(approved.result.reason, 'knowledge_verified');

      // OTP: approved by the token's next code.
      const otp = await step('OTP challenge', client.createChallenge<any>(otpTransfer('cust-otp', payeeAccount)));
      assert.equal(otp.status, 201, JSON.stringify(otp.body));
      const submitted = await step('the OTP approval', client.submitOtp<any>(otp.body.id, ocraCode(otpCounter++)));
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
      assert.equal(remember(submitted.body).status, 'approved');

      // Passkey: the page is live for the challenge's lifetime and the assertion approves it.
      const passkey = await step('passkey challenge', createPasskeyChallenge(client, 'cust-passkey'));
      assert.equal((await getPage(server, passkey.customerUrl)).status, 200);
      const options = await step('passkey options', postPage(server, passkey.customerUrl, '/options'));
      assert.equal(options.status, 200, JSON.stringify(options.body));
      const verified = await step('passkey approval', postPage(server, passkey.customerUrl, '/verify', { response: authenticator.assert({ challenge: options.body.publicKey.challenge }) }));
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body.status, 'approved');
      remember((await client.getChallenge<any>(passkey.id)).body);

      // Cancel, with an Idempotency-Key that replays within the phase.
      const idempotencyKey = `long-run-${randomBytes(4).toString('hex')}`;
      const body = otpTransfer('cust-otp', payeeAccount);
      const toCancel = await step('challenge to cancel', client.createChallenge<any>(body, { idempotencyKey }));
      assert.equal(toCancel.status, 201);
      assert.equal((await client.createChallenge<any>(body, { idempotencyKey })).body.id, toCancel.body.id, 'the same key replays');
      const canceled = await step('cancel', client.cancelChallenge<any>(toCancel.body.id));
      assert.equal(remember(canceled.body).status, 'canceled');

      // Expiry: the challenge left pending ends by its lifetime (300 s) once the clock has passed it
      // (the sweep reads the same clock), and not before.
      if (leftToExpire && phase.jumpMs < 300_000) {
        assert.equal((await client.getChallenge<any>(leftToExpire)).body.status, 'pending', `${phase.label}: within its lifetime`);
      } else if (leftToExpire) {
        // The sweep runs every 30 s of real time: one run is queued now (the same worker, reading the
        // same clock), then the challenge is polled gently (the key's rate limit is real time too).
        await server.running.context.queues.maintenance.add('sweep', {}, { removeOnComplete: true, removeOnFail: true });
        const expired = await step('the expiry sweep', endedBy(leftToExpire));
        assert.equal(remember(expired).status, 'expired');
        assert.equal(expired.result.reason, 'timeout');
        leftToExpire = undefined;
      }
      leftToExpire ??= (await step('challenge left to expire', client.createChallenge<any>(otpTransfer('cust-otp', payeeAccount)))).body.id;

      // The console session: alive while used within its idle timeout, gone after it.
      const consoleRead = await step('console read', consoleSession.call('GET', '/admin/v1/tenants'));
      if (phase.jumpMs <= 10 * 60_000) assert.equal(consoleRead.status, 200, `console ${phase.label}`);
      else assert.equal(consoleRead.status, 401, `the console session ${phase.label} outlived its idle timeout`);
      if (consoleRead.status === 401) consoleSession = await signIn(server, server.adminToken, server.publicBaseUrl);

      // The receipt key rotates once, mid-run; old receipts keep verifying.
      if (phase.label === 'after 10 min') assert.equal((await server.admin('POST', '/admin/v1/receipt-keys/rotate')).status, 201);

      // Every challenge that ended so far reached the bank as one signed event.
      await step('events', eventually(async () => (eventsById().size >= ended.size ? true : undefined), 60_000, 'every event'));
      const events = eventsById();
      for (const [id, status] of ended) {
        assert.equal(events.get(id)?.length, 1, `one event for ${id}`);
        assert.equal(events.get(id)![0]!.type, `challenge.${status}`);
      }
      assert.equal((await step('/readyz', fetch(`${server.url}/readyz`))).status, 200);
    });
  }

  test('every receipt of the run verifies against the published keys, before and after the rotation', async () => {
    const jwks = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
    const keys = createLocalJWKSet(jwks);
    const kids = new Set(receipts.map((receipt) => decodeProtectedHeader(receipt).kid));
    assert.equal(kids.size, 2, 'receipts under the first key and the rotated one');
    for (const receipt of receipts) await compactVerify(receipt, keys);
  });

  async function endedBy(id: string): Promise<any> {
    for (;;) {
      const read = await client.getChallenge<any>(id);
      if (read.body.status !== 'pending') return read.body;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  let calls = 0;
  function callIndex(): number {
    return calls++;
  }

  function eventsById(): Map<string, { type: string }[]> {
    const byId = new Map<string, { type: string }[]>();
    for (const message of sink.received) {
      const event = new Webhook(webhookSecret).verify(message.body, message.headers) as { type: string; data: { id: string } };
      // Challenge events only: the tenant's other events (a key's security signals) have no challenge id.
      if (!event.type.startsWith('challenge.')) continue;
      byId.set(event.data.id, [...(byId.get(event.data.id) ?? []), { type: event.type }]);
    }
    return byId;
  }
});
