import { Worker, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { TenantStore } from '../tenants/tenant-store.ts';
import type { DeliveryStore } from '../events/delivery-store.ts';
import { sendWebhook } from '../events/webhook-sender.ts';
import { webhookBackoffDelay, webhookAttempts } from '../events/webhook-backoff.ts';
import { queueNames, type WebhookDeliveryJob } from './queue-names.ts';

export function startWebhookWorker(deps: {
  connection: Redis;
  prefix: string;
  deliveries: DeliveryStore;
  tenants: TenantStore;
  metrics: Metrics;
  logger: Logger;
  allowLoopbackCallbacks: boolean;
}): Worker<WebhookDeliveryJob> {
  return new Worker<WebhookDeliveryJob>(
    queueNames.webhookDelivery,
    async (job) => {
      const delivery = await deps.deliveries.get(job.data.tenantId, job.data.deliveryId);
      if (!delivery || delivery.status !== 'pending') return 'done';
      const tenant = await deps.tenants.get(delivery.tenant_id);
      if (!tenant) throw new UnrecoverableError('tenant gone');
      const started = Date.now();
      const result = await sendWebhook({
        id: delivery.id,
        url: delivery.url,
        body: JSON.stringify(delivery.payload),
        secret: await deps.tenants.webhookSecret(delivery.tenant_id),
        allowLoopback: deps.allowLoopbackCallbacks && tenant.allowLoopbackCallbacks,
      });
      const final = !result.ok && job.attemptsMade + 1 >= webhookAttempts;
      await deps.deliveries.recordAttempt(delivery.tenant_id, delivery.id, {
        statusCode: result.statusCode,
        error: result.ok ? undefined : result.error,
        durationMs: Date.now() - started,
        delivered: result.ok,
        final,
      });
      deps.metrics.webhookDeliveries.inc({ outcome: result.ok ? 'delivered' : final ? 'failed' : 'retry' });
      if (!result.ok) {
        deps.logger.info({ deliveryId: delivery.id, attempt: job.attemptsMade + 1, error: result.error }, 'webhook delivery failed; will retry');
        throw new Error(result.error);
      }
      return 'delivered';
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: 20,
      settings: { backoffStrategy: (attemptsMade: number) => webhookBackoffDelay(attemptsMade) },
    },
  );
}
