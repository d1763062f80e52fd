// Examples of the passkey routes and pages for /docs (src/http/openapi-examples.ts tells the story they continue), declared by
// the module (ChannelModule.openApiExamples).
import type { OperationExamples } from '../channel-module.ts';
import { createdAt } from '../../http/openapi-examples.ts';

/** What a registration and a confirmation send of the authenticator's credential besides its response. */
const credential = { id: 'AQIDBAUGBwgJCgsMDQ4PEA', rawId: 'AQIDBAUGBwgJCgsMDQ4PEA', type: 'public-key', authenticatorAttachment: 'platform', clientExtensionResults: {} };

export const webauthnOpenApiExamples: Record<string, OperationExamples> = {
  'post /v1/customers/{customerId}/webauthn/registration-links': {
    request: { locale: 'ko-KR', displayName: '김민지' },
    responses: { 201: { url: 'https://stepup.bank.example/c/webauthn/register/974miwyG_p4A0YUHxLp31bM78sUwEzPvdTLpWo3GpJA', expiresAt: '2026-11-29T01:38:45.000Z' } },
  },
  'get /v1/customers/{customerId}/webauthn/credentials': {
    responses: { 200: [{ id: 'cred_3vRk8Wq2XnZ5', createdAt, lastUsedAt: '2026-11-29T01:24:40.000Z', backedUp: true, transports: ['internal', 'hybrid'] }] },
  },
  'post /c/webauthn/register/{token}/options': { request: { payment: false } },
  'post /c/webauthn/register/{token}/verify': {
    request: {
      response: {
        ...credential,
        response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0', attestationObject: 'o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YQ', transports: ['internal', 'hybrid'] },
      },
    },
  },
  'post /c/webauthn/confirm/{token}/verify': {
    request: {
      response: {
        ...credential,
        response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0', authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ', signature: 'MEUCIQDh3Yx5Wz', userHandle: 'Y3VzdC0xMDAx' },
      },
    },
    responses: { 200: { status: 'approved' } },
  },
  'post /c/webauthn/confirm/{token}/reject': { responses: { 200: { status: 'denied' } } },
};
