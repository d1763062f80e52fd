// The telephony simulator of a chaos run as its own process (packages/telephony-simulator/src/main.ts), so a
// fault can freeze it (SIGSTOP) or kill it like a provider outage. Its numbers are configured over
// its control API and configured again after a restart (it keeps them in memory only); the calls
// are followed on its event stream (SimMirror), which keeps every call seen across restarts.
import { ChaosProcess } from './chaos-process.ts';
import type { SimCallView } from '@stepup/telephony-simulator';
import { nodeEntry } from '../test/support/node-entry.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SimulatorProcess extends ChaosProcess {
  private readonly numbers = new Map<string, Record<string, unknown>>();
  readonly url: string;

  constructor(
    private readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    super('simulator');
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.launch(nodeEntry('packages/telephony-simulator/src/main.ts'), { ...this.env, SIM_PORT: String(this.port), SIM_HOST: '127.0.0.1' });
    for (let tries = 0; ; tries += 1) {
      if (!this.running) throw new Error('the simulator exited during start-up');
      if (await fetch(`${this.url}/sim/numbers`).then((r) => r.ok, () => false)) break;
      if (tries > 600) throw new Error('the simulator did not become ready');
      await sleep(50);
    }
    // A restarted simulator knows no number: configure them again.
    const entries = [...this.numbers];
    for (let start = 0; start < entries.length; start += 50) await Promise.all(entries.slice(start, start + 50).map(([number, config]) => this.putNumber(number, config)));
  }

  async setNumber(number: string, config: Record<string, unknown>): Promise<void> {
    this.numbers.set(number, config);
    await this.putNumber(number, config);
  }

  private async putNumber(number: string, config: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.url}/sim/numbers/${encodeURIComponent(number)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
    if (!response.ok) throw new Error(`simulator number ${number}: ${response.status} ${await response.text()}`);
  }

  /** SIGSTOP/SIGCONT freeze and thaw it; SIGKILL and SIGTERM wait for the exit. */
  async signal(signal: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    if (!this.running) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      this.child!.kill(signal);
      return;
    }
    this.stopping = true;
    this.child!.kill('SIGCONT');
    this.child!.kill(signal);
    await this.exited;
  }
}

/** Every call the simulator reported on its event stream, across its restarts. */
export class SimMirror {
  readonly calls = new Map<string, SimCallView>();
  private listeners: ((call: SimCallView) => void)[] = [];
  private stopped = false;
  private abort = new AbortController();

  constructor(private readonly simUrl: string) {}

  onCall(listener: (call: SimCallView) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    void this.follow();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  private seen(call: SimCallView): void {
    this.calls.set(call.sid, call);
    for (const listener of this.listeners) listener(call);
  }

  /** Reads /sim/events (Server-Sent Events), and reconnects while the simulator is away. */
  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        const response = await fetch(`${this.simUrl}/sim/events`, { signal: this.abort.signal });
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!data) continue;
            if (event === 'snapshot') for (const call of JSON.parse(data) as SimCallView[]) this.seen(call);
            else if (event === 'call') this.seen(JSON.parse(data) as SimCallView);
          }
        }
      } catch {
        // The simulator is frozen, killed or restarting: look again shortly.
      }
      if (!this.stopped) await sleep(200);
    }
  }
}
