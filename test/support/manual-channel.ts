// A channel for tests of the challenge life cycle itself: eligible for the customers it is told,
// it keeps challenges pending until the test decides them through ChallengeService.finish, the
// same entry point real channels use.
import type { Channel, ChannelName, Eligibility } from '../../src/channels/channel.ts';
import type { ChallengeRecord } from '../../src/challenges/challenge-record.ts';

export class ManualChannel implements Channel {
  readonly started: ChallengeRecord[] = [];
  readonly stopped: ChallengeRecord[] = [];
  /** When set, start() throws it (after the challenge is stored): a channel whose start fails. */
  startFault: Error | undefined;
  constructor(
    readonly name: ChannelName,
    private readonly enrolled: Set<string> = new Set(['cust-1001']),
  ) {}

  async eligibility(input: { customerId: string }): Promise<Eligibility> {
    return this.enrolled.has(input.customerId) ? { eligible: true } : { eligible: false, reason: 'not_enrolled' };
  }

  async prepare() {
    return { state: { manual: true }, details: { note: 'manual test channel' } };
  }

  async start(challenge: ChallengeRecord) {
    if (this.startFault) throw this.startFault;
    this.started.push(challenge);
  }

  async stop(challenge: ChallengeRecord) {
    this.stopped.push(challenge);
  }
}
