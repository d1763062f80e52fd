// Examples of the OTP routes for /docs (src/http/openapi-examples.ts tells the story they continue), declared by
// the module (ChannelModule.openApiExamples).
import type { OperationExamples } from '../channel-module.ts';
import { approvedChallenge, otpToken, receipt } from '../../http/openapi-examples.ts';

export const otpOpenApiExamples: Record<string, OperationExamples> = {
  'post /v1/challenges/{id}/otp': { request: { code: '482913' }, responses: { 200: { ...approvedChallenge, channel: 'otp', result: { channel: 'otp', reason: 'otp_verified', receipt } } } },
  'post /v1/customers/{customerId}/otp-tokens': {
    request: { type: 'totp', algorithm: 'sha1', digits: 6, period: 30, label: 'Security card app' },
    responses: { 201: { ...otpToken, otpauthUri: 'otpauth://totp/Stepup%20Bank:cust-1001?secret=JBSWY3DPEHPK3PXP&issuer=Stepup%20Bank&algorithm=SHA1&digits=6&period=30' } },
  },
  'get /v1/customers/{customerId}/otp-tokens': { responses: { 200: { tokens: [otpToken] } } },
};
