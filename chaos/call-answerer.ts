// The customers on the phone during a chaos run: each number has a plan (answer right, answer
// wrong, press * or never pick up), and every key press is remembered with its call so the checks
// can tell an answer stepup received from one lost with its call.
import type { SimMirror } from './sim-process.ts';
import type { SimCallView } from '@stepup/telephony-simulator';

export type CallPlan = 'right' | 'wrong' | 'star' | 'unanswered';

export interface PressedAnswer {
  callSid: string;
  attemptId: string;
  kind: 'right' | 'wrong' | 'star';
}

const ordinals = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'];

/** The attempt id in an ARS webhook URL: /twilio/ars/{tenant}/{attempt}/answer. */
export const attemptIdOf = (url: string | null) => (url ? decodeURIComponent(/\/twilio\/ars\/[^/]+\/([^/?]+)\//.exec(url)?.[1] ?? '') : '');

/** Follows the simulator's calls (its event stream) and presses keys on its control API, as a customer would. */
export class CallAnswerer {
  private readonly plans = new Map<string, { plan: CallPlan; secret: string }>();
  private readonly answeredPrompts = new Map<string, string>();
  readonly pressed: PressedAnswer[] = [];
  private running = false;

  constructor(
    private readonly mirror: SimMirror,
    private readonly simUrl: string,
  ) {
    mirror.onCall((call) => {
      if (this.running) void this.answer(call);
    });
  }

  plan(e164: string, plan: CallPlan, secret: string): void {
    this.plans.set(e164, { plan, secret });
  }

  start(): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
  }

  private async answer(call: SimCallView): Promise<void> {
    if (!call.awaitingDigits || !call.prompt || this.answeredPrompts.get(call.sid) === call.prompt) return;
    const planned = this.plans.get(call.to);
    if (!planned) return;
    // Each question has new positions, so a new prompt: answer each prompt once.
    this.answeredPrompts.set(call.sid, call.prompt);
    const positions = [...call.prompt.matchAll(/\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\b/g)].map(
      (match) => ordinals.indexOf(match[1]!) + 1,
    );
    if (positions.length === 0) return;
    const right = positions.map((position) => planned.secret[position - 1]).join('');
    const kind = planned.plan === 'star' ? 'star' : planned.plan === 'right' ? 'right' : 'wrong';
    const keys = kind === 'star' ? '*#' : kind === 'right' ? `${right}#` : `${[...right].map((digit) => String((Number(digit) + 1) % 10)).join('')}#`;
    const response = await fetch(`${this.simUrl}/sim/calls/${call.sid}/digits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ digits: keys }) }).catch(() => null);
    if (response?.ok) this.pressed.push({ callSid: call.sid, attemptId: attemptIdOf(call.url), kind });
  }
}
