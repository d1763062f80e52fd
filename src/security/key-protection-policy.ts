// The policy's `keyProtection` section (docs/security.md "Key protections", docs/policy-reference.md):
// the thresholds at which a bank API key's own traffic is signalled as anomalous, and whether a strong
// signal suspends the key. Per tenant, not per customer (a grade cannot override it). Imports only zod
// and the policy's field helpers, like the other sections: the policy schema reads it at import time.
import { z } from 'zod';
import type { SectionValues, WeakeningMap } from '../policy/policy-fields.ts';

export const keyProtectionPolicyFields = {
  /** `rate_spike`: the key's rate over the last minute at least this many times its baseline. */
  rateSpikeMultiple: z.number().int().min(2).max(1000),
  /** `rate_spike` only from this many requests in the last minute: a quiet key's burst is not a spike. */
  rateSpikeMinimumPerMinute: z.number().int().min(30).max(1_000_000),
  /** `customer_enumeration`: this many distinct unknown customers in the window (5 to 10 minutes). */
  unknownCustomersPerWindow: z.number().int().min(5).max(1_000_000),
  /** `failure_ratio`: at least this share of the key's requests of the last minutes failing. */
  failureRatio: z.number().min(0.1).max(1),
  /** `failure_ratio` only from this many requests in those minutes. */
  failureMinimumRequests: z.number().int().min(10).max(1_000_000),
  /** A strong signal (`rate_spike`, `customer_enumeration`) suspends the key until an admin restores it. */
  suspendOnStrongSignal: z.boolean(),
};

export type KeyProtectionPolicy = SectionValues<typeof keyProtectionPolicyFields>;

/** Which direction of each field weakens security (docs/policy-reference.md "Which way weakens"). */
export const keyProtectionWeakening: WeakeningMap<typeof keyProtectionPolicyFields> = {
  rateSpikeMultiple: 'higher',
  rateSpikeMinimumPerMinute: 'higher',
  unknownCustomersPerWindow: 'higher',
  failureRatio: 'higher',
  failureMinimumRequests: 'higher',
  suspendOnStrongSignal: 'turned_off',
};

/**
 * What a bank's normal traffic does not reach (docs/security.md "Key protections" reasons about them):
 * ten times the key's own week-long average, from 300 requests a minute (half the default per-key
 * rate limit); 50 customers never enrolled within minutes; half of at least 100 requests failing.
 * Suspension is the tenant's choice: a false positive would stop its verifications.
 */
export const keyProtectionDefaults: KeyProtectionPolicy = {
  rateSpikeMultiple: 10,
  rateSpikeMinimumPerMinute: 300,
  unknownCustomersPerWindow: 50,
  failureRatio: 0.5,
  failureMinimumRequests: 100,
  suspendOnStrongSignal: false,
};
