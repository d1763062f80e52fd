// Queue names and job payloads. Payloads hold ids only: the database is the source of truth.
export const queueNames = {
  challengeExpiry: 'challenge-expiry',
  webhookDelivery: 'webhook-delivery',
  maintenance: 'maintenance',
} as const;

export interface ChallengeExpiryJob {
  tenantId: string;
  challengeId: string;
}

export interface WebhookDeliveryJob {
  tenantId: string;
  deliveryId: string;
}

export const expiryJobId = (challengeId: string) => `exp-${challengeId}`;
