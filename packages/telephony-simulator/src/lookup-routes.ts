// Twilio Lookup v2: GET /v2/PhoneNumbers/{number}?Fields=line_type_intelligence,call_forwarding,sim_swap
// A data package that was not requested is null, as in Twilio's answer. Configured numbers (control
// API) answer what was configured; others answer line_type_intelligence from the numbering plan and
// "unknown" (error code, no value) for call forwarding and SIM swap.
import express, { type Router } from 'express';
import { lineTypeFromPlan, normalizeNumber, parseNumber, validationErrors } from './numbering-plan.ts';
import type { SimNumber, SimulatorState } from './simulator-state.ts';

/** Twilio Lookup error 60607: the data package is not available for this number's country/provider. */
export const lookupUnavailableCode = 60607;

const dataPackages = [
  'caller_name',
  'sim_swap',
  'call_forwarding',
  'line_status',
  'line_type_intelligence',
  'identity_match',
  'reassigned_number',
  'sms_pumping_risk',
  'phone_number_quality_score',
  'pre_fill',
] as const;

function requestedFields(raw: unknown): Set<string> {
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return new Set(values.flatMap((value) => String(value).split(',')).map((field) => field.trim()));
}

function lineTypeIntelligence(number: string, config: SimNumber | undefined): Record<string, unknown> {
  return {
    type: config?.lineType ?? lineTypeFromPlan(number),
    carrier_name: config?.carrierName ?? null,
    mobile_country_code: config?.mobileCountryCode ?? null,
    mobile_network_code: config?.mobileNetworkCode ?? null,
    error_code: null,
  };
}

function callForwarding(config: SimNumber | undefined): Record<string, unknown> {
  const enabled = config?.callForwarding ?? null;
  return { call_forwarding_enabled: enabled, error_code: enabled === null ? lookupUnavailableCode : null };
}

function simSwap(config: SimNumber | undefined): Record<string, unknown> {
  return {
    last_sim_swap: null,
    carrier_name: config?.carrierName ?? null,
    mobile_country_code: config?.mobileCountryCode ?? null,
    mobile_network_code: config?.mobileNetworkCode ?? null,
    error_code: lookupUnavailableCode,
  };
}

export function lookupRoutes(state: SimulatorState): Router {
  const router = express.Router();
  router.get('/v2/PhoneNumbers/:number', (req, res) => {
    const raw = String(req.params.number);
    const countryCode = typeof req.query.CountryCode === 'string' ? req.query.CountryCode : undefined;
    const e164 = normalizeNumber(raw, countryCode);
    const parsed = e164 === undefined ? undefined : parseNumber(e164);
    const config = e164 === undefined ? undefined : state.getNumber(e164);
    const valid = config !== undefined || parsed?.valid === true;
    const fields = requestedFields(req.query.Fields);
    const body: Record<string, unknown> = {
      calling_country_code: parsed?.callingCountryCode ?? null,
      country_code: parsed?.countryCode ?? null,
      phone_number: e164 ?? raw,
      national_format: parsed?.nationalFormat ?? null,
      valid,
      validation_errors: valid ? [] : validationErrors(e164 ?? raw),
      ...Object.fromEntries(dataPackages.map((name) => [name, null])),
      url: `https://lookups.twilio.com/v2/PhoneNumbers/${encodeURIComponent(e164 ?? raw)}`,
    };
    // Twilio returns no data packages for an invalid number.
    if (valid && e164 !== undefined) {
      if (fields.has('line_type_intelligence')) body.line_type_intelligence = lineTypeIntelligence(e164, config);
      if (fields.has('call_forwarding')) body.call_forwarding = callForwarding(config);
      if (fields.has('sim_swap')) body.sim_swap = simSwap(config);
    }
    res.json(body);
  });
  return router;
}
