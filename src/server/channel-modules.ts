// The one list of modules (docs/architecture.md, "How a channel plugs in"): one line per module. The
// contract they implement is src/channels/channel-module.ts; the server composes routes, mounts,
// workers, the policy schema, problem codes, OpenAPI examples, the timeline, the dashboard's figures and
// the console's metadata from this list, and loadConfig reads the modules' own variables from it.
import type { ChannelModule } from '../channels/channel-module.ts';
import type { PolicySection } from '../policy/policy-fields.ts';
import { numberIntelligenceModule } from '../telephony/number-intelligence/number-intelligence-module.ts';
import { otpModule } from '../channels/otp/otp-module.ts';
import { arsModule } from '../channels/ars/ars-module.ts';
import { webauthnModule } from '../channels/webauthn/webauthn-module.ts';
import { arsTelephony } from './ars-telephony.ts';

export type { ChannelModule, ChannelMount, ChannelHost } from '../channels/channel-module.ts';

export const channelModules: ChannelModule[] = [numberIntelligenceModule, arsModule(arsTelephony), webauthnModule, otpModule];

/**
 * The modules' policy sections by module name, in list order (src/policy/policy-schema.ts, composePolicy).
 * A section is `channels.<module name>`: one named otherwise stops the server (sectionOf reads it by its name).
 */
export function policySectionsOf(modules: readonly ChannelModule[]): Record<string, PolicySection> {
  for (const module of modules) {
    if (module.policy && module.policy.name !== module.name) throw new Error(`the ${module.name} module's policy section is named ${module.policy.name}: a section is named as its module`);
  }
  return Object.fromEntries(modules.flatMap((module) => (module.policy ? [[module.name, module.policy]] : [])));
}
