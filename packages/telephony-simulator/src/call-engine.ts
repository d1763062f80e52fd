// The life of a simulated outbound call, as Twilio runs one:
//   queued → (initiated) → ringing → in-progress → completed
//   busy / failed end before ringing ends; no-answer after the ring delay; canceled when the API
//   cancels a call that was not answered yet.
// The callee's behaviour comes from the number's configuration (control API), default "human".
// Status callbacks go out for the events the call asked for; `completed` always (if a URL was given).
import type { Logger } from 'pino';
import { CallbackDispatcher } from './call-webhooks.ts';
import { GatherWaiter } from './gather-waiter.ts';
import type { SimulatorTiming } from './simulator-options.ts';
import { terminalStatuses, type CallStatus, type SimCall, type SimulatorState, type TranscriptLine } from './simulator-state.ts';
import type { GatherOptions } from './twiml-interpreter.ts';
import { pause, runTwiml, type TwimlInstruction } from './twiml-runner.ts';

interface CallRuntime {
  /** Aborted when the call ends (or the simulator closes): stops waits, gathers and fetches. */
  lifecycle: AbortController;
  /** The current TwiML run; replaced when the API redirects the call. */
  execution: AbortController | null;
  gather: GatherWaiter | null;
  /** Instruction to run on answer; the API may change it while the call rings. */
  instruction: TwimlInstruction;
}

export type DigitsOutcome = 'accepted' | 'not_found' | 'not_awaiting';

export interface CallEngineDeps {
  state: SimulatorState;
  authToken: string;
  timing: SimulatorTiming;
  logger: Logger;
}

export class CallEngine {
  private readonly runtimes = new Map<string, CallRuntime>();
  private readonly closing = new AbortController();
  readonly callbacks: CallbackDispatcher;

  constructor(private readonly deps: CallEngineDeps) {
    this.callbacks = new CallbackDispatcher({
      authToken: deps.authToken,
      timeoutMs: deps.timing.webhookTimeoutMs,
      logger: deps.logger,
      signal: this.closing.signal,
    });
    deps.state.changes.on('cleared', () => this.stopAll());
  }

  /** Starts a call that was just stored as `queued`. */
  start(call: SimCall, instruction: TwimlInstruction): void {
    const runtime: CallRuntime = { lifecycle: new AbortController(), execution: null, gather: null, instruction };
    this.runtimes.set(call.sid, runtime);
    void this.lifecycle(call, runtime).catch((error: unknown) => {
      this.deps.logger.error({ err: error, callSid: call.sid }, 'call lifecycle failed');
      this.end(call, 'failed');
    });
  }

  private async lifecycle(call: SimCall, runtime: CallRuntime): Promise<void> {
    const { state, timing } = this.deps;
    const signal = runtime.lifecycle.signal;
    // Let the REST response (status queued) go out before anything else happens.
    await pause(1, signal);
    if (signal.aborted) return;
    call.startTime = new Date();
    this.callbacks.statusEvent(call, 'initiated');
    const answer = state.getNumber(call.to)?.answer ?? 'human';
    if (answer === 'failed' || answer === 'busy') {
      this.end(call, answer);
      return;
    }
    call.status = 'ringing';
    state.notify(call);
    this.callbacks.statusEvent(call, 'ringing');
    await pause(timing.ringDelayMs, signal);
    if (signal.aborted) return;
    if (answer === 'no-answer') {
      this.end(call, 'no-answer');
      return;
    }
    call.status = 'in-progress';
    call.answerTime = new Date();
    if (call.machineDetection !== null) {
      const answeredBy = answer === 'machine' ? (call.machineDetection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start') : answer === 'unknown' ? 'unknown' : 'human';
      if (call.asyncAmd) {
        // Async AMD: TwiML runs at once; the result is posted to AsyncAmdStatusCallback later.
        setTimeout(() => {
          if (signal.aborted) return;
          call.answeredBy = answeredBy;
          state.notify(call);
          this.callbacks.asyncAmdResult(call, Math.max(1, timing.ringDelayMs));
        }, Math.max(1, timing.ringDelayMs));
      } else {
        call.answeredBy = answeredBy;
      }
    }
    state.notify(call);
    this.callbacks.statusEvent(call, 'answered');
    this.execute(call, runtime, runtime.instruction);
  }

  private execute(call: SimCall, runtime: CallRuntime, instruction: TwimlInstruction): void {
    runtime.execution?.abort();
    const execution = new AbortController();
    runtime.execution = execution;
    const signal = AbortSignal.any([execution.signal, runtime.lifecycle.signal]);
    void runTwiml(
      {
        call,
        authToken: this.deps.authToken,
        timing: this.deps.timing,
        logger: this.deps.logger,
        signal,
        beginGather: (options) => this.beginGather(call, runtime, options, signal),
        appendLine: (line) => this.appendLine(call, line),
      },
      instruction,
    ).then((outcome) => {
      if (outcome === 'aborted') return;
      if (outcome !== 'finished') {
        call.errors.push({ code: outcome.errorCode, message: outcome.message });
        this.appendLine(call, { kind: 'error', text: `[application error ${outcome.errorCode}]` });
        this.deps.logger.warn({ callSid: call.sid, code: outcome.errorCode, detail: outcome.message }, 'application error; hanging up');
      }
      this.end(call, 'completed');
    });
  }

  private beginGather(call: SimCall, runtime: CallRuntime, options: GatherOptions, signal: AbortSignal): GatherWaiter {
    const waiter = new GatherWaiter(
      options,
      () => {
        if (runtime.gather === waiter) runtime.gather = null;
        const typed = waiter.typed;
        this.setGatherView(call, null);
        if (typed !== '') this.appendLine(call, { kind: 'digits', text: typed });
      },
      signal,
      (deadline) => {
        if (runtime.gather !== waiter) return;
        call.submitAt = deadline.toISOString();
        call.pendingDigits = waiter.typed;
        this.deps.state.notify(call);
      },
    );
    runtime.gather = waiter;
    this.setGatherView(call, options);
    return waiter;
  }

  private setGatherView(call: SimCall, options: GatherOptions | null): void {
    call.awaitingDigits = options?.acceptsDtmf ?? false;
    call.prompt = options?.prompt ?? null;
    call.numDigits = options?.numDigits ?? null;
    call.finishOnKey = options === null ? null : options.finishOnKey;
    call.pendingDigits = '';
    call.submitAt = null;
    this.deps.state.notify(call);
  }

  private appendLine(call: SimCall, line: Omit<TranscriptLine, 'at'>): void {
    call.lines.push({ ...line, at: new Date().toISOString() });
    this.deps.state.notify(call);
  }

  /** DTMF from the callee (control API or softphone), fed key by key into the current Gather. */
  pressDigits(callSid: string, keys: string): DigitsOutcome {
    const call = this.deps.state.getCall(callSid);
    const runtime = this.runtimes.get(callSid);
    if (call === undefined) return 'not_found';
    const waiter = runtime?.gather;
    if (waiter === null || waiter === undefined || waiter.done || !waiter.options.acceptsDtmf) return 'not_awaiting';
    waiter.press(keys);
    if (!waiter.done) {
      call.pendingDigits = waiter.typed;
      this.deps.state.notify(call);
    }
    return 'accepted';
  }

  /** Calls update Status=completed|canceled (Twilio: cancel only affects calls not yet answered). */
  hangUpFromApi(call: SimCall, requested: 'completed' | 'canceled'): void {
    if (terminalStatuses.has(call.status)) return;
    if (call.status === 'queued' || call.status === 'ringing') this.end(call, 'canceled');
    else if (requested === 'completed') this.end(call, 'completed');
  }

  /** The callee hangs up (softphone): an answered call completes, a ringing one was declined. */
  hangUpByCallee(call: SimCall): void {
    if (terminalStatuses.has(call.status)) return;
    this.appendLine(call, { kind: 'hangup', text: '[callee hung up]' });
    this.end(call, call.status === 'in-progress' ? 'completed' : 'busy');
  }

  /** Calls update with Url/Twiml: an answered call leaves its current TwiML at once. */
  redirect(call: SimCall, instruction: TwimlInstruction): boolean {
    const runtime = this.runtimes.get(call.sid);
    if (runtime === undefined || terminalStatuses.has(call.status)) return false;
    if (call.status === 'in-progress') this.execute(call, runtime, instruction);
    else runtime.instruction = instruction;
    return true;
  }

  private end(call: SimCall, status: CallStatus): void {
    if (terminalStatuses.has(call.status)) return;
    call.status = status;
    call.endTime = new Date();
    const runtime = this.runtimes.get(call.sid);
    runtime?.lifecycle.abort();
    this.runtimes.delete(call.sid);
    this.setGatherView(call, null);
    this.callbacks.statusEvent(call, 'completed');
  }

  /** Stops every running call without callbacks (DELETE /sim/state, close()). */
  private stopAll(): void {
    for (const [sid, runtime] of this.runtimes) {
      runtime.lifecycle.abort();
      this.callbacks.forget(sid);
    }
    this.runtimes.clear();
  }

  close(): void {
    this.closing.abort();
    this.stopAll();
  }
}
