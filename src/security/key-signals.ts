// Which behavioural signals a bank API key's traffic raises (docs/security.md "Key protections"): pure,
// from what the key's Redis bookkeeping measured (src/auth/key-usage.ts) and the tenant's
// `keyProtection` policy. Whether a signal was already raised in its window is decided elsewhere.
import type { KeyProtectionPolicy } from './key-protection-policy.ts';

/** What the bookkeeping measured for one key, just after counting a request (or carried outcomes). */
export interface KeyTraffic {
  /** Requests in about the last minute (a count decaying with a one-minute time constant). */
  lastMinute: number;
  /** The key's current rate and its baseline (a week-long decaying average), per minute. */
  ratePerMinute: number;
  baselinePerMinute: number;
  /** Requests and failed requests of about the last five minutes (decaying counts). */
  recentRequests: number;
  recentFailures: number;
  /** Distinct unknown customers in the window; null when this update added none (nothing new to judge). */
  unknownCustomers: number | null;
}

export type BehaviouralSignal = 'rate_spike' | 'customer_enumeration' | 'failure_ratio';

export interface FiredSignal {
  signal: BehaviouralSignal;
  /** What was measured against which threshold, sent with the event (rounded). */
  measured: Record<string, number>;
}

/** Signals that suspend the key when the policy says so: a thief's use, hardly a bank's own bug. */
const strongSignals: ReadonlySet<string> = new Set<BehaviouralSignal>(['rate_spike', 'customer_enumeration']);
export const isStrongSignal = (signal: string): boolean => strongSignals.has(signal);

const tenth = (value: number) => Math.round(value * 10) / 10;

export function keySignalsOf(policy: KeyProtectionPolicy, traffic: KeyTraffic): FiredSignal[] {
  const fired: FiredSignal[] = [];
  // Far above the key's own baseline, and busy in absolute terms: a quiet key's few requests after a
  // silence are far above its decayed baseline too, and are no spike.
  if (traffic.lastMinute >= policy.rateSpikeMinimumPerMinute && traffic.ratePerMinute >= policy.rateSpikeMultiple * traffic.baselinePerMinute) {
    fired.push({
      signal: 'rate_spike',
      measured: { ratePerMinute: Math.round(traffic.ratePerMinute), baselinePerMinute: tenth(traffic.baselinePerMinute), multiple: policy.rateSpikeMultiple, minimumPerMinute: policy.rateSpikeMinimumPerMinute },
    });
  }
  if (traffic.unknownCustomers !== null && traffic.unknownCustomers >= policy.unknownCustomersPerWindow) {
    fired.push({ signal: 'customer_enumeration', measured: { unknownCustomers: traffic.unknownCustomers, threshold: policy.unknownCustomersPerWindow } });
  }
  if (traffic.recentRequests >= policy.failureMinimumRequests && traffic.recentFailures >= policy.failureRatio * traffic.recentRequests) {
    fired.push({
      signal: 'failure_ratio',
      measured: { failureRatio: Math.round((traffic.recentFailures / traffic.recentRequests) * 100) / 100, requests: Math.round(traffic.recentRequests), threshold: policy.failureRatio },
    });
  }
  return fired;
}
