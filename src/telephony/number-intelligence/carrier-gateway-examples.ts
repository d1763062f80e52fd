// Examples of the carrier-gateway admin routes for /docs (src/http/openapi-examples.ts tells the story they continue), declared by
// the module (ChannelModule.openApiExamples).
import type { OperationExamples } from '../../channels/channel-module.ts';
import { createdAt } from '../../http/openapi-examples.ts';

const carrierGateway = { url: 'https://carrier-gateway.bank.example/lookup', timeoutMs: 2000, enabled: true, createdAt, updatedAt: createdAt };

export const carrierGatewayExamples: Record<string, OperationExamples> = {
  'put /admin/v1/tenants/{id}/carrier-gateway': {
    request: { url: 'https://carrier-gateway.bank.example/lookup', timeoutMs: 2000, enabled: true, rotateSecret: true },
    responses: { 200: { ...carrierGateway, secret: 'cgw_W3nQ8xZ2Lk5Rt7Vb9Yc1Mp4Hs6Jd0Fa' } },
  },
  'get /admin/v1/tenants/{id}/carrier-gateway': { responses: { 200: carrierGateway } },
};
