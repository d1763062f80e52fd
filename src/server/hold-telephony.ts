// The notification calls of held transfers (docs/holds.md), built from the concrete adapters: the
// customer's phone from the ARS channel's enrolment, Twilio (or the simulator) for the calls, the
// hold-notification IVR flow for what the webhooks answer. Without TWILIO_* no call is placed (holds
// still work: release, stop by the bank and the page).
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppContext } from './build-context.ts';
import type { ChannelMount } from '../channels/channel-module.ts';
import { expressMount } from '../http/express-mount.ts';
import { HoldNotifier, type HoldCallGuard, type HoldNotificationPhones } from '../holds/hold-notifier.ts';
import { createHoldQueue, holdQueueNames, startHoldWorker, type HoldNotifyJob } from '../holds/hold-queue.ts';
import { loadFlows } from '../telephony/ivr/load-flows.ts';
import { createTwilioClient } from '../telephony/twilio-client.ts';
import { twilioHoldCallPlacer } from '../telephony/holds/twilio-hold-call-placer.ts';
import { holdCallRouter } from '../telephony/holds/hold-call-router.ts';
import { holdCallMount } from '../telephony/holds/hold-call-urls.ts';
import { notificationNumbersOf } from '../channels/ars/notification-phone.ts';
import { noticeCallGuard } from '../channels/ars/notice-call-guard.ts';
import { createNumberIntelligence } from '../telephony/number-intelligence/create-number-intelligence.ts';
import { nowMs } from '../time/clock.ts';

export interface HoldCalling {
  mount: ChannelMount;
  worker(connection: Redis): Worker;
  close(): Promise<void>;
}

/** The customer's ARS phone, then the notification phone (the ARS channel's enrolments), decrypted only to dial. */
function arsPhones(context: AppContext): HoldNotificationPhones {
  return { phonesOf: (tenantId, customerId) => notificationNumbersOf(context.db, context.envelope, tenantId, customerId) };
}

/**
 * Number intelligence as the ARS channel uses it (src/channels/ars/notice-call-guard.ts): the number
 * vetted for a call that only tells, and the same call budgets (one Redis counter per customer and per
 * number, so ARS and notification calls share them).
 */
function vettedCalls(context: AppContext): HoldCallGuard {
  const { vetter, caps } = createNumberIntelligence({ ...context, now: () => nowMs(context.clock) });
  return noticeCallGuard({ vetter, caps, policies: context.policies });
}

export async function holdCalling(context: AppContext): Promise<HoldCalling | undefined> {
  const { config, logger } = context;
  const twilio = config.twilio;
  if (!twilio) return undefined;
  const flows = await loadFlows();
  const client = createTwilioClient({ accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.apiBaseUrl, timeoutMs: 10_000 });
  const queue = createHoldQueue<HoldNotifyJob>(context.queueRedis, config.queuePrefix, holdQueueNames.notify);
  const notifier = new HoldNotifier({
    db: context.db,
    store: context.challengeStore,
    holds: context.holds,
    tenants: context.tenants,
    policies: context.policies,
    phones: arsPhones(context),
    placer: twilioHoldCallPlacer({ client, from: twilio.from, publicBaseUrl: config.publicBaseUrl }),
    guard: vettedCalls(context),
    queue,
    logger,
    clock: context.holds.clock,
  });
  context.holds.attachNotifications(notifier);
  return {
    mount: { path: holdCallMount, handler: expressMount(holdCallRouter({ notifier, flows, authToken: twilio.authToken, publicBaseUrl: config.publicBaseUrl, logger })) },
    worker: (connection) => startHoldWorker<HoldNotifyJob>(connection, config.queuePrefix, holdQueueNames.notify, (job) => notifier.notify(job)),
    close: () => queue.close(),
  };
}
