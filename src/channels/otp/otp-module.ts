// The OTP channel module (src/server/channel-modules.ts): registers the channel, declares its
// routes and answers the customer hooks (summary, erasure, unlock).
import type { ChannelHost, ChannelModule } from '../channel-module.ts';
import { z } from 'zod';
import { OtpAttemptStore } from './otp-attempt-store.ts';
import { otpTokenSchema } from './otp-schemas.ts';
import { OtpChannel } from './otp-channel.ts';
import { otpRoutes } from './otp-routes.ts';
import { OtpSubmissionService } from './otp-submission.ts';
import { OtpTokenService } from './otp-token-service.ts';
import { OtpTokenStore } from './otp-token-store.ts';
import { otpProblemCodes } from './otp-problem-codes.ts';
import { otpPolicy } from './otp-policy.ts';
import { otpOpenApiExamples } from './otp-openapi-examples.ts';
import { otpConsole, otpConsoleCustomer } from './otp-console.ts';

interface OtpServices {
  tokens: OtpTokenService;
  submissions: OtpSubmissionService;
}

// One set of services per application context (tests run several servers in one process).
const servicesByContext = new WeakMap<ChannelHost, OtpServices>();

export function otpServices(context: ChannelHost): OtpServices {
  let services = servicesByContext.get(context);
  if (!services) {
    const store = new OtpTokenStore(context.envelope);
    services = {
      tokens: new OtpTokenService({ db: context.db, store, tenants: context.tenants, policies: context.policies }),
      submissions: new OtpSubmissionService({ db: context.db, tokens: store, attempts: new OtpAttemptStore(), challenges: context.challenges, logger: context.logger, clock: context.clock }),
    };
    servicesByContext.set(context, services);
    context.channels.register(new OtpChannel({ db: context.db, store }));
  }
  return services;
}

export const otpModule: ChannelModule = {
  name: 'otp',
  migrations: new URL('./migrations/', import.meta.url),
  policy: otpPolicy,
  openApiExamples: otpOpenApiExamples,
  console: otpConsole,
  consoleCustomer: async (host, tenantId, customerId) => {
    const tokens = await otpServices(host).tokens.list(tenantId, customerId);
    return otpConsoleCustomer(tokens.map((token) => ({ id: token.id, type: token.type, ...(token.type === 'ocra' ? { suite: token.suite } : {}), locked: token.lockedAt !== null })));
  },
  problemCodes: otpProblemCodes,
  register: (context) => {
    otpServices(context);
  },
  routes: (context) => otpRoutes({ ...otpServices(context), channelNames: context.policy.channelNames }),
  describeCustomer: (context, tenantId, customerId) => otpServices(context).tokens.describe(tenantId, customerId),
  customerSummary: { otpTokens: z.array(otpTokenSchema).describe('Never a seed') },
  eraseCustomer: (context, tx, tenantId, customerId) => otpServices(context).tokens.erase(tx, tenantId, customerId),
  unlockCustomer: (context, tx, tenantId, customerId) => otpServices(context).tokens.unlock(tx, tenantId, customerId),
  timeline: async (host, tenantId, challengeId) => {
    const attempts = await new OtpAttemptStore().get(host.db, tenantId, challengeId);
    return { otpAttempts: attempts ? { attempts: attempts.attempts, accepted: attempts.accepted } : null };
  },
  timelineSchema: { otpAttempts: z.object({ attempts: z.number().int(), accepted: z.boolean() }).nullable() },
};
