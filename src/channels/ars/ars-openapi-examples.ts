// Examples of the ARS enrollment routes for /docs (src/http/openapi-examples.ts tells the story they continue), declared by
// the module (ChannelModule.openApiExamples).
import type { OperationExamples } from '../channel-module.ts';

export const arsOpenApiExamples: Record<string, OperationExamples> = {
  'put /v1/customers/{customerId}/notification-phone': {
    request: { number: '+82 10-4123-9001' },
    responses: { 200: { number: '+82 10-***-9001', lineType: 'mobile', callForwarding: false, eligible: true, reasons: [] } },
  },
  'put /v1/customers/{customerId}/phone': {
    request: { number: '+82 2-312-3456' },
    responses: { 200: { number: '+82 2-***-3456', lineType: 'landline', callForwarding: false, eligible: true, reasons: [] } },
  },
  'put /v1/customers/{customerId}/knowledge-secret': { request: { secret: '20478153' } },
};
