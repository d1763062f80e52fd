// Everything the ARS module needs from the telephone world, as ports this channel owns
// (docs/architecture.md, "How a channel plugs in"). The composition root builds it
// (src/server/ars-telephony.ts: Twilio, the IVR flow runtime, number intelligence) and hands it to
// `arsModule(telephony)`; nothing in this folder imports src/telephony/.
import type { ChannelHost, ChannelMount } from '../channel-module.ts';
import type { ArsCallService } from './ars-call-service.ts';
import type { CallPlacer, NumberHasher, NumberNormalizer } from './ars-ports.ts';
import type { CallCaps, NumberVetter } from './number-vetting.ts';
import type { PhoneChangeCallPlacer, PhoneChangeNotices } from './phone-change-notices.ts';

/** The number side: vetting before enrollment and every call, call budgets, the keyed hash, E.164. */
export interface ArsNumbers {
  vetter: NumberVetter;
  caps: CallCaps;
  hashNumber: NumberHasher;
  normalizeNumber: NumberNormalizer;
}

/** The voice side: placing calls and the provider's webhooks, which `calls` answers. */
export interface ArsVoice {
  placer: CallPlacer;
  webhooks(calls: ArsCallService): ChannelMount;
  /** The calls that tell an old number of a change (docs/ars-channel.md, "A changed number"), answered by `notices`. */
  phoneChange: { placer: PhoneChangeCallPlacer; webhooks(notices: PhoneChangeNotices): ChannelMount };
}

export interface ArsTelephony {
  numbers(context: ChannelHost): ArsNumbers;
  /**
   * The voice provider, or undefined when none is configured (enrollment still works, no call is
   * placed). Validates what calls will say first: a broken flow file stops the server here.
   */
  voice(context: ChannelHost): Promise<ArsVoice | undefined>;
}
