// The bank's side of a chaos run: a mixed stream of signed challenge requests at a fixed rate, each
// retried as a careful bank backend would (same Idempotency-Key, backoff, Retry-After honoured),
// and every answer the API gave remembered for the checks.
import { randomBytes } from 'node:crypto';
import { StepupClient, type StepupResponse } from '../src/client/stepup-client.ts';
import { generateTotp } from '../src/channels/otp/totp.ts';
import type { CallPlan } from './call-answerer.ts';

export type Scenario = 'not_required' | 'otp' | `ars_${CallPlan}`;

export interface Customer {
  id: string;
  scenario: Scenario;
  /** OTP customers: their token's seed. */
  seed?: Uint8Array;
}

export interface Session {
  scenario: Scenario;
  customerId: string;
  idempotencyKey: string;
  challengeId?: string;
  /** The status the create answered with (201 body). */
  createdStatus?: string;
  /** The create never got a definite answer (retries exhausted). */
  unresolved?: string;
  otpSubmitted?: boolean;
}

export interface LoadStats {
  requests: number;
  byStatus: Map<number, number>;
  /** 5xx answers other than 503 with Retry-After, by "METHOD path-shape status". */
  bad5xx: Map<string, number>;
  networkErrors: number;
  /**
   * Answers of the load balancer itself (HAProxy's 502/504 pages, not JSON): the connection to an API
   * process was lost with the request on it. Retried like a connection error.
   */
  balancerErrors: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How long one request is retried before it counts as without a definite answer. */
const retryForMs = 90_000;

export class BankLoad {
  readonly sessions: Session[] = [];
  readonly stats: LoadStats = { requests: 0, byStatus: new Map(), bad5xx: new Map(), networkErrors: 0, balancerErrors: 0 };
  private readonly pools = new Map<Scenario, Customer[]>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;

  constructor(private readonly client: StepupClient, customers: Customer[], private readonly mix: [Scenario, number][]) {
    for (const customer of customers) this.pools.set(customer.scenario, [...(this.pools.get(customer.scenario) ?? []), customer]);
  }

  /**
   * One request with the bank's retry discipline: network errors, 5xx and 409 in-progress are retried
   * with the same idempotency key, backing off (Retry-After when given, at most 4 s), for up to
   * `retryForMs`. A budget of time, not of attempts: on a busy machine the faults' recoveries run into
   * each other, and a bank keeps retrying a transfer for longer than one outage.
   */
  private async send<T>(method: string, path: string, body: unknown, headers: Record<string, string>, shape: string): Promise<StepupResponse<T> | string> {
    let last = 'no answer';
    const giveUpAt = Date.now() + retryForMs;
    for (let attempt = 0; Date.now() < giveUpAt; attempt += 1) {
      let response: StepupResponse<T>;
      try {
        response = await this.client.request<T>(method, path, body, headers);
      } catch (error) {
        if (error instanceof SyntaxError) this.stats.balancerErrors += 1;
        else this.stats.networkErrors += 1;
        last = `network: ${(error as Error).message}`;
        await sleep(Math.min(250 * 2 ** attempt, 4000));
        continue;
      }
      this.stats.requests += 1;
      this.stats.byStatus.set(response.status, (this.stats.byStatus.get(response.status) ?? 0) + 1);
      if (response.status >= 500 && !(response.status === 503 && response.headers.get('retry-after'))) {
        const key = `${method} ${shape} ${response.status}`;
        this.stats.bad5xx.set(key, (this.stats.bad5xx.get(key) ?? 0) + 1);
      }
      const code = (response.body as { code?: string } | null)?.code;
      if (response.status >= 500 || code === 'idempotency_in_progress' || response.status === 429) {
        last = `${response.status} ${code ?? ''}`;
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 4000) : Math.min(250 * 2 ** attempt, 4000));
        continue;
      }
      return response;
    }
    return last;
  }

  private take(scenario: Scenario): Customer | undefined {
    return this.pools.get(scenario)?.pop();
  }

  private pick(): Scenario {
    const total = this.mix.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = Math.random() * total;
    for (const [scenario, weight] of this.mix) {
      roll -= weight;
      if (roll < 0) return scenario;
    }
    return this.mix[0]![0];
  }

  private async session(customer: Customer): Promise<void> {
    const session: Session = { scenario: customer.scenario, customerId: customer.id, idempotencyKey: randomBytes(12).toString('base64url') };
    this.sessions.push(session);
    const amount = customer.scenario === 'not_required' ? '10000' : '3500000';
    const body = {
      customerId: customer.id,
      transaction: {
        reference: `TX-${randomBytes(5).toString('hex')}`,
        type: 'transfer',
        amount: { value: amount, currency: 'KRW' },
        payee: { name: 'Kim Chulsoo', bank: 'Shinhan Bank', account: '110-123-456789' },
      },
      locale: 'en-US',
    };
    const created = await this.send<{ id: string; status: string; channel: string | null }>('POST', '/v1/challenges', body, { 'idempotency-key': session.idempotencyKey }, '/v1/challenges');
    if (typeof created === 'string') {
      session.unresolved = created;
      return;
    }
    if (created.status !== 201 && created.status !== 200) {
      session.unresolved = `${created.status} ${JSON.stringify(created.body)}`;
      return;
    }
    session.challengeId = created.body.id;
    session.createdStatus = created.body.status;
    if (customer.scenario === 'otp' && created.body.status === 'pending' && customer.seed) {
      await sleep(200 + Math.random() * 800);
      const code = generateTotp({ secret: customer.seed });
      const submitted = await this.send('POST', `/v1/challenges/${created.body.id}/otp`, { code }, {}, '/v1/challenges/:id/otp');
      session.otpSubmitted = typeof submitted !== 'string' && submitted.status === 200;
    }
  }

  /** Starts sessions at `perSecond` until stop(); each draws a customer of a scenario from the mix. */
  start(perSecond: number): void {
    this.running = true;
    const interval = 1000 / perSecond;
    let next = performance.now();
    const tick = () => {
      if (!this.running) return;
      while (performance.now() >= next) {
        next += interval;
        const customer = this.take(this.pick());
        if (!customer) continue;
        const running = this.session(customer).catch((error: unknown) => {
          process.stderr.write(`chaos: session failed: ${(error as Error).stack}\n`);
        });
        this.inFlight.add(running);
        void running.finally(() => this.inFlight.delete(running));
      }
      setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.inFlight]);
  }
}
