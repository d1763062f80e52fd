// The ARS channel's own environment variables (ChannelModule.config, docs/architecture.md "How a
// channel plugs in"): read and validated by loadConfig with the core's, only when the ARS module is
// registered; the values are in `config.modules.ars`, read typed with arsSettings.
import { z } from 'zod';
import { moduleSettings, type Config, type ModuleEnv, type ModuleSettings } from '../../config/config.ts';

export const arsEnv = {
  ARS_RETRY_DELAY_SCALE: {
    // Tests only: the policy's retryDelaysSeconds have a 5 s minimum, so retries run in ms only scaled.
    schema: z.coerce.number().min(0.0001).max(1).default(1),
    description: "multiplies the policy's retryDelaysSeconds (tests only)",
  },
  ARS_RECONCILE_EVERY_MS: {
    schema: z.coerce.number().int().min(100).max(600_000).default(5000),
    description: 'how often the ARS reconciler looks for stranded calls',
  },
  ARS_RECONCILE_AFTER_S: {
    schema: z.coerce.number().min(0.1).max(3600).default(20),
    description: 'how long a call or a stranded challenge is left to webhooks and the queue before the reconciler steps in',
  },
  ARS_WEBHOOK_PATIENCE_MS: {
    // Under Twilio's 15 s read timeout for a voice webhook.
    schema: z.coerce.number().int().min(0).max(14_000).default(8000),
    description: 'how long an ARS webhook waits out PostgreSQL or Redis being unavailable before answering 503',
  },
  ARS_RECONCILE_GIVE_UP_S: {
    schema: z.coerce.number().min(1).max(86_400).default(3600),
    description: 'a live attempt whose call cannot be fetched is ended `status_unknown` this long after its claim',
  },
} satisfies ModuleEnv;

export type ArsSettings = ModuleSettings<typeof arsEnv>;

/** The ARS module's settings (`config.modules.ars`); an error when the configuration was loaded without the module. */
export const arsSettings = (config: Pick<Config, 'modules'>): ArsSettings => moduleSettings(config, 'ars', arsEnv);
