// Twilio's webhooks for notification calls (docs/holds.md): signed (twilio-webhook-route.ts), bound to
// one notification and its call, handed to the hold notifier, whose answer is rendered to TwiML.
import type express from 'express';
import type { Logger } from '../../observability/logger.ts';
import type { HoldNotifier } from '../../holds/hold-notifier.ts';
import type { FlowCatalog } from '../ivr/flow-catalog.ts';
import { noticeCallRouter } from '../notice-call-router.ts';
import { renderHoldCall } from './render-hold-call.ts';

export interface HoldCallRouterDeps {
  notifier: HoldNotifier;
  flows: FlowCatalog;
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
}

export function holdCallRouter(deps: HoldCallRouterDeps): express.Router {
  const { notifier } = deps;
  return noticeCallRouter('hnt', { ...deps, name: 'notification call' }, {
    answered: ({ id, ...hook }) => notifier.answered({ ...hook, notificationId: id }),
    gathered: ({ id, ...hook }) => notifier.gathered({ ...hook, notificationId: id }),
    ended: ({ id, ...hook }) => notifier.ended({ ...hook, notificationId: id }),
    render: (script, { tenantId, id }) => renderHoldCall(script, { flows: deps.flows, publicBaseUrl: deps.publicBaseUrl, tenantId, notificationId: id }),
  });
}
