import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  challengesCreated: Counter<'status'>;
  challengesCompleted: Counter<'status' | 'reason'>;
  webhookDeliveries: Counter<'outcome'>;
  /** Rows the maintenance sweep deleted, by module and kind (channel modules' `sweep`). */
  maintenanceRemoved: Counter<'module' | 'kind'>;
  /** Bank requests answered 503 before any work: over MAX_BANK_REQUESTS_IN_FLIGHT, or while the event loop runs late. */
  bankRequestsShed: Counter<'reason'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'stepup_http_request_duration_seconds',
      help: 'HTTP request duration by route template',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    challengesCreated: new Counter({
      name: 'stepup_challenges_created_total',
      help: 'Challenges created, by initial status',
      labelNames: ['status'],
      registers: [registry],
    }),
    challengesCompleted: new Counter({
      name: 'stepup_challenges_completed_total',
      help: 'Challenges that reached a terminal status',
      labelNames: ['status', 'reason'],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'stepup_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    maintenanceRemoved: new Counter({
      name: 'stepup_maintenance_removed_total',
      help: 'Rows the maintenance sweep deleted (retention), by module and kind',
      labelNames: ['module', 'kind'],
      registers: [registry],
    }),
    bankRequestsShed: new Counter({
      name: 'stepup_bank_requests_shed_total',
      help: 'Bank requests answered 503 before any work: reason in_flight (MAX_BANK_REQUESTS_IN_FLIGHT) or event_loop_lag (MAX_EVENT_LOOP_LAG_MS)',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
