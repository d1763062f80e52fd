// `npm run simulator`: the telephony simulator on its own.
//   SIM_PORT (8089), SIM_HOST (127.0.0.1), TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN (dev defaults),
//   SIM_RING_DELAY_MS (1500), SIM_GATHER_TIMEOUT_SCALE (1), SIM_SAY_MS_PER_CHAR (0), LOG_LEVEL (info).
import { pino } from 'pino';
import { createSimulator } from './create-simulator.ts';

/** Dev defaults; the SID has Twilio's shape (AC + 32 hex) so the server's config accepts it too. */
const devAccountSid = 'AC00000000000000000000000000000000';
const devAuthToken = 'simulator-dev-auth-token';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

// The simulator logs call SIDs only; the redaction is a guard against anything added later.
const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'telephony-simulator' },
  redact: { paths: ['*.to', '*.from', '*.To', '*.From', '*.digits', '*.Digits'], censor: '[redacted]' },
});
const port = numberFromEnv('SIM_PORT', 8089);
const host = process.env.SIM_HOST ?? '127.0.0.1';
const accountSid = process.env.TWILIO_ACCOUNT_SID ?? devAccountSid;
const authToken = process.env.TWILIO_AUTH_TOKEN ?? devAuthToken;

const simulator = createSimulator({
  accountSid,
  authToken,
  logger,
  ringDelayMs: numberFromEnv('SIM_RING_DELAY_MS', 1500),
  gatherTimeoutScale: numberFromEnv('SIM_GATHER_TIMEOUT_SCALE', 1),
  sayMsPerChar: numberFromEnv('SIM_SAY_MS_PER_CHAR', 0),
});

const server = simulator.app.listen(port, host, () => {
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  // What a developer needs to point stepup at it; the auth token is never logged.
  logger.info({ TWILIO_API_BASE_URL: base, TWILIO_ACCOUNT_SID: accountSid, softphone: `${base}/sim/phone` }, 'telephony simulator listening');
});

function shutdown(): void {
  simulator.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
