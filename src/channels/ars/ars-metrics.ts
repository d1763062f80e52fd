// Prometheus counters of the ARS channel (GET /metrics), registered on the server's registry.
import { Counter, type Registry } from 'prom-client';

export interface ArsMetrics {
  /** A call attempt ended: completed, no-answer, busy, failed, canceled, machine, dial_failed, call_cap_reached. */
  callEnded(reason: string): void;
  /** A keypress result: right, wrong, incomplete, reject, repeat, no_input, challenge_ended. */
  answer(result: string): void;
  /** The reconciler repaired something webhooks or the queue should have done (docs/reliability.md). */
  reconciled(kind: string): void;
  /** The reconciler finished a pass (whether or not it repaired anything): that it is running at all. */
  reconcileRan(): void;
}

export function arsMetrics(registry: Registry): ArsMetrics {
  const existing = (name: string) => registry.getSingleMetric(name) as Counter<string> | undefined;
  const calls =
    existing('stepup_ars_call_attempts_total') ??
    new Counter({ name: 'stepup_ars_call_attempts_total', help: 'ARS call attempts by how they ended', labelNames: ['end_reason'], registers: [registry] });
  const answers =
    existing('stepup_ars_answers_total') ??
    new Counter({ name: 'stepup_ars_answers_total', help: 'What ARS callers pressed, by result (never the digits)', labelNames: ['result'], registers: [registry] });
  const reconciled =
    existing('stepup_ars_reconciled_total') ??
    new Counter({ name: 'stepup_ars_reconciled_total', help: 'ARS repairs by the reconciler, by case', labelNames: ['case'], registers: [registry] });
  const reconcileRuns =
    existing('stepup_ars_reconcile_runs_total') ??
    new Counter({ name: 'stepup_ars_reconcile_runs_total', help: 'Passes of the ARS reconciler', registers: [registry] });
  return {
    reconciled: (kind) => reconciled.inc({ case: kind }),
    reconcileRan: () => reconcileRuns.inc(),
    callEnded: (reason) => calls.inc({ end_reason: reason }),
    answer: (result) => answers.inc({ result }),
  };
}
