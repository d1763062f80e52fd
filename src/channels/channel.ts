// A channel is a strategy behind one small interface (like Ory Kratos' login methods): the challenge
// service asks each channel in policy order whether it can verify this customer, then lets the chosen
// one run. Channels never write HTTP responses and never move a challenge except through the
// ChallengeOutcomes they are given.
import { policyChannelNames, type PolicyDocument } from '../policy/policy-schema.ts';
import type { ChallengeRecord, TransactionDetails } from '../challenges/challenge-record.ts';
import type { ChallengeService } from '../challenges/challenge-service.ts';

/**
 * All a channel may do with challenges: read one (on its own or inside the caller's transaction),
 * and end it — on its own or inside the transaction that records the customer's answer. Creating,
 * cancelling or listing challenges is not a channel's business; in SQL a channel reads only the
 * read-only `challenge_states` view (docs/architecture.md, "How a channel plugs in", "Tables have owners").
 */
export type ChallengeOutcomes = Pick<ChallengeService, 'find' | 'findIn' | 'get' | 'finish' | 'finishIn'>;

/** The shipped channels (src/policy/policy-schema.ts); a server's are its modules' (AppContext.policy.channelNames). */
export const channelNames = policyChannelNames;
/** A channel's name: its module's, which is also its policy section's key (docs/architecture.md, "How a channel plugs in"). */
export type ChannelName = string;

export type Eligibility =
  /** `found`: what the check looked up (e.g. the token to use), handed back to this channel's prepare(). */
  | { eligible: true; found?: unknown }
  | { eligible: false; reason: string };

export interface EligibilityInput {
  tenantId: string;
  customerId: string;
  policy: PolicyDocument;
  transaction: TransactionDetails;
}

export interface PreparedChannel {
  /** Private state stored with the challenge (never shown to anyone). */
  state: Record<string, unknown>;
  /** What the bank needs to show the customer (e.g. the OTP question), returned in `channelDetails`. */
  details?: Record<string, unknown>;
  /** A page the customer opens (WebAuthn). */
  customerUrl?: string | null;
}

export interface Channel {
  readonly name: ChannelName;
  /** Can this customer be verified on this channel right now (enrolled, not locked, number eligible)? */
  eligibility(input: EligibilityInput): Promise<Eligibility>;
  /** Builds the channel's state before the challenge is stored. */
  prepare(input: EligibilityInput & { challengeId: string; transactionHash: string; locale: string; found?: unknown }): Promise<PreparedChannel>;
  /** Called once the pending challenge is committed (e.g. queue the first call). */
  start(challenge: ChallengeRecord, policy: PolicyDocument): Promise<void>;
  /** Called after the challenge ended for a reason outside the channel (expired, canceled): stop work in flight. */
  stop?(challenge: ChallengeRecord): Promise<void>;
}

export class ChannelRegistry {
  private readonly channels = new Map<ChannelName, Channel>();

  register(channel: Channel): void {
    this.channels.set(channel.name, channel);
  }

  get(name: ChannelName): Channel | undefined {
    return this.channels.get(name);
  }

  names(): ChannelName[] {
    return [...this.channels.keys()];
  }
}
