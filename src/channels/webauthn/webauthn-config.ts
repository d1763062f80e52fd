// The WebAuthn channel's own environment variables (ChannelModule.config, docs/webauthn-channel.md
// "Configuration"): the relying party id and the origins the pages run on, read and validated by
// loadConfig only when the WebAuthn module is registered, and the relying party worked out from them
// and the core's PUBLIC_BASE_URL (deriveConfig). The values are in `config.modules.webauthn`.
import { isIP } from 'node:net';
import { z } from 'zod';
import { moduleSettings, type Config, type CoreConfig, type ModuleEnv, type ModuleSettings } from '../../config/config.ts';

export const webauthnEnv = {
  WEBAUTHN_RP_ID: { schema: z.string().optional(), description: "passkeys' relying party id: a domain (default: the host of PUBLIC_BASE_URL)" },
  WEBAUTHN_ORIGINS: { schema: z.string().optional(), description: 'comma-separated origins of the passkey pages (default: the origin of PUBLIC_BASE_URL)' },
} satisfies ModuleEnv;

/** The relying party, or why passkeys are unavailable (PUBLIC_BASE_URL on an IP address and no WEBAUTHN_RP_ID). */
export type WebAuthnConfig = { rpId: string; origins: string[] } | { unavailable: string };

export type WebAuthnSettings = ModuleSettings<typeof webauthnEnv> & { relyingParty: WebAuthnConfig };

/** The WebAuthn module's settings (`config.modules.webauthn`); an error when the configuration was loaded without the module. */
export const webauthnSettings = (config: Pick<Config, 'modules'>): WebAuthnSettings => moduleSettings<typeof webauthnEnv, { relyingParty: WebAuthnConfig }>(config, 'webauthn', webauthnEnv);

const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, '');

/** ChannelModule.deriveConfig: the relying party from the module's variables and PUBLIC_BASE_URL. */
export function deriveWebAuthnConfig(values: Record<string, unknown>, core: CoreConfig): { values: Record<string, unknown>; issues: string[] } {
  const variables = values as ModuleSettings<typeof webauthnEnv>;
  const issues: string[] = [];
  const relyingParty = relyingPartyOf(variables, core.publicBaseUrl, issues);
  return { values: { ...variables, relyingParty }, issues };
}

/**
 * WebAuthn L3 §5.1.3 / §13.4.9: the RP ID is a domain (never an IP address) equal to, or a
 * registrable suffix of, the host of every origin; origins are https, or http on localhost.
 */
function relyingPartyOf(e: ModuleSettings<typeof webauthnEnv>, publicBaseUrl: string, issues: string[]): WebAuthnConfig {
  const explicitRpId = e.WEBAUTHN_RP_ID?.trim().toLowerCase();
  const rpId = explicitRpId || hostOf(publicBaseUrl).toLowerCase();
  if (isIP(rpId) !== 0) {
    const why = `"${rpId}" is an IP address, and a WebAuthn RP ID must be a domain: set PUBLIC_BASE_URL to a host name (locally http://localhost:8080) or WEBAUTHN_RP_ID to a domain`;
    if (explicitRpId) issues.push(`WEBAUTHN_RP_ID: ${why}`);
    return { unavailable: why };
  }
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(rpId)) {
    issues.push(`WEBAUTHN_RP_ID: "${rpId}" is not a domain name`);
    return { unavailable: 'invalid RP ID' };
  }
  const rawOrigins = e.WEBAUTHN_ORIGINS?.trim() ? e.WEBAUTHN_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean) : [new URL(publicBaseUrl).origin];
  const origins: string[] = [];
  for (const raw of rawOrigins) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      issues.push(`WEBAUTHN_ORIGINS: "${raw}" is not a URL`);
      continue;
    }
    const host = url.hostname.toLowerCase();
    const secure = url.protocol === 'https:' || (url.protocol === 'http:' && (host === 'localhost' || host.endsWith('.localhost')));
    if (!secure && !e.WEBAUTHN_ORIGINS?.trim()) return { unavailable: `PUBLIC_BASE_URL "${raw}" is neither https nor localhost: set WEBAUTHN_ORIGINS` };
    if (!secure) issues.push(`WEBAUTHN_ORIGINS: "${raw}" must be https (plain http only on localhost)`);
    else if (host !== rpId && !host.endsWith(`.${rpId}`)) issues.push(`WEBAUTHN_ORIGINS: "${raw}" is not on the RP ID "${rpId}" or one of its subdomains`);
    else origins.push(url.origin);
  }
  return { rpId, origins };
}
