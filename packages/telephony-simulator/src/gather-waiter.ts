// Collects DTMF for one <Gather> the way a Twilio media server does: key by key, ending on
// `finishOnKey` (not part of Digits), on `numDigits`, or when `timeout` passes without a key
// (the timer starts after the nested verbs, or at the first key, which stops them — barge-in — and
// restarts with every key; digits typed so far are submitted). Keys typed after the Gather ended
// are dropped.
import type { GatherHandle, GatherOptions, GatherResult } from './twiml-interpreter.ts';

export class GatherWaiter implements GatherHandle {
  readonly result: Promise<GatherResult | null>;
  private readonly settledController = new AbortController();
  private readonly keyController = new AbortController();
  private resolveResult!: (value: GatherResult | null) => void;
  private digits = '';
  private armed = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly onAbort = (): void => this.settle(null);

  constructor(
    readonly options: GatherOptions,
    private readonly onSettled: () => void,
    private readonly abort: AbortSignal,
    /** Told when the timeout (re)starts: the moment what was typed will be submitted. */
    private readonly onDeadline: (deadline: Date) => void = () => {},
  ) {
    this.result = new Promise((resolve) => {
      this.resolveResult = resolve;
    });
    if (abort.aborted) queueMicrotask(this.onAbort);
    else abort.addEventListener('abort', this.onAbort, { once: true });
  }

  get settled(): AbortSignal {
    return this.settledController.signal;
  }

  /** Aborted at the first key (or when the Gather ends): the nested prompt stops there. */
  get interrupted(): AbortSignal {
    return AbortSignal.any([this.keyController.signal, this.settledController.signal]);
  }

  get done(): boolean {
    return this.settledController.signal.aborted;
  }

  get typed(): string {
    return this.digits;
  }

  arm(): void {
    // A key during the prompt already started the timeout.
    if (this.done || this.armed) return;
    this.armed = true;
    this.restartTimer();
  }

  /** Feeds keys in order; returns how many were consumed before the Gather ended. */
  press(keys: string): number {
    let consumed = 0;
    for (const key of keys) {
      if (this.done) break;
      consumed++;
      this.armed = true;
      this.keyController.abort();
      const { finishOnKey, numDigits } = this.options;
      if (finishOnKey !== '' && key === finishOnKey) {
        this.settle({ digits: this.digits, finishedOnKey: key });
        break;
      }
      this.digits += key;
      if (numDigits !== null && this.digits.length >= numDigits) {
        this.settle({ digits: this.digits, finishedOnKey: '' });
        break;
      }
    }
    if (!this.done && this.armed) this.restartTimer();
    return consumed;
  }

  private restartTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle({ digits: this.digits, finishedOnKey: '' }), this.options.timeoutMs);
    this.onDeadline(new Date(Date.now() + this.options.timeoutMs));
  }

  private settle(result: GatherResult | null): void {
    if (this.done) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abort.removeEventListener('abort', this.onAbort);
    this.settledController.abort();
    this.onSettled();
    this.resolveResult(result);
  }
}
