// The WebAuthn channel module (src/server/channel-modules.ts, docs/webauthn-channel.md): registers
// the channel, declares its routes, serves its page assets (with @simplewebauthn/browser from
// node_modules, no CDN), answers the customer hooks (summary, erasure) and sweeps ended pages' rows.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { z } from 'zod';
import type { ChannelHost, ChannelModule } from '../channel-module.ts';
import { bullmqEventDispatcher } from '../../jobs/queues.ts';
import { expressMount } from '../../http/express-mount.ts';
import { ConfirmationService } from './confirmation-service.ts';
import { ConfirmationStore } from './confirmation-store.ts';
import { CredentialStore } from './credential-store.ts';
import { RegistrationLinkStore } from './registration-link-store.ts';
import { RegistrationService } from './registration-service.ts';
import { WebAuthnChannel } from './webauthn-channel.ts';
import type { WebAuthnHost } from './webauthn-host.ts';
import { webauthnRoutes } from './webauthn-routes.ts';
import { webauthnProblemCodes } from './webauthn-problem-codes.ts';
import { sweepWebAuthnRecords } from './webauthn-sweep.ts';
import { webauthnPolicy } from './webauthn-policy.ts';
import { webauthnOpenApiExamples } from './webauthn-openapi-examples.ts';
import { webauthnConsole, webauthnConsoleCustomer } from './webauthn-console.ts';
import { deriveWebAuthnConfig, webauthnEnv, webauthnSettings } from './webauthn-config.ts';

interface WebAuthnServices {
  host: WebAuthnHost;
  credentials: CredentialStore;
  registrations: RegistrationService;
  confirmations: ConfirmationService;
}

// One set of services per application context (tests run several servers in one process).
const servicesByContext = new WeakMap<ChannelHost, WebAuthnServices>();

function webauthnServices(context: ChannelHost): WebAuthnServices {
  let services = servicesByContext.get(context);
  if (!services) {
    const host: WebAuthnHost = {
      db: context.db,
      tenants: context.tenants,
      policies: context.policies,
      challenges: context.challenges,
      events: bullmqEventDispatcher(context.queues),
      logger: context.logger,
      publicBaseUrl: context.config.publicBaseUrl,
      webauthn: webauthnSettings(context.config).relyingParty,
      clock: context.clock,
      holdStopUrl: (record) => (record.hold?.state === 'held' && context.clock().getTime() < record.hold.stopClosesAt.getTime() ? context.holds.stopUrlOf(record) : null),
    };
    const credentials = new CredentialStore();
    const confirmationStore = new ConfirmationStore();
    services = {
      host,
      credentials,
      registrations: new RegistrationService({ host, credentials, links: new RegistrationLinkStore() }),
      confirmations: new ConfirmationService({ host, credentials, confirmations: confirmationStore }),
    };
    servicesByContext.set(context, services);
    context.channels.register(new WebAuthnChannel({ host, credentials, confirmations: confirmationStore }));
    if ('unavailable' in host.webauthn) context.logger.warn({ why: host.webauthn.unavailable }, 'passkeys (webauthn channel) unavailable');
  }
  return services;
}

const assetsDir = join(dirname(fileURLToPath(import.meta.url)), 'pages', 'assets');

function pageAssets(): express.RequestHandler {
  const require = createRequire(import.meta.url);
  // The package exports no package.json: its entry is <package>/script/index.js.
  const browserBundle = join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js');
  const router = express.Router();
  router.get('/simplewebauthn-browser.js', (_req, res) => {
    res.type('text/javascript').sendFile(browserBundle, { maxAge: '1h' });
  });
  router.use(express.static(assetsDir, { index: false, maxAge: '1h', fallthrough: true }));
  return router;
}

export const webauthnModule: ChannelModule = {
  name: 'webauthn',
  migrations: new URL('./migrations/', import.meta.url),
  policy: webauthnPolicy,
  openApiExamples: webauthnOpenApiExamples,
  console: webauthnConsole,
  consoleCustomer: async (context, tenantId, customerId) => {
    const { host, credentials } = webauthnServices(context);
    return webauthnConsoleCustomer(await credentials.count(host.db, tenantId, customerId));
  },
  problemCodes: webauthnProblemCodes,
  config: webauthnEnv,
  deriveConfig: deriveWebAuthnConfig,
  register: (context) => {
    webauthnServices(context);
  },
  routes: (context) => webauthnRoutes(webauthnServices(context)),
  mounts: () => [{ path: '/c/webauthn/assets', handler: expressMount(pageAssets()) }],
  describeCustomer: async (context, tenantId, customerId) => {
    const { host, credentials } = webauthnServices(context);
    return { passkeys: await credentials.count(host.db, tenantId, customerId) };
  },
  customerSummary: { passkeys: z.number().int().describe('Registered passkeys') },
  eraseCustomer: (context, tx, tenantId, customerId) => webauthnServices(context).credentials.eraseCustomer(tx, tenantId, customerId),
  sweep: (context, now) => sweepWebAuthnRecords(context.db, now),
};
