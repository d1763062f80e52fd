// The only module that reads process.env: everything else receives a typed Config.
import { z } from 'zod';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const base64Key32 = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be base64 of exactly 32 bytes');

export const envSchema = z.object({
  STEPUP_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: z.url().optional(),
  DATABASE_URL: z.string().startsWith('postgres').optional(),
  DATA_DIR: z.string().default('./.data'),
  REDIS_URL: z.string().startsWith('redis').default('redis://127.0.0.1:6379'),
  // Redis Sentinel in place of REDIS_URL: host:port of each sentinel, comma-separated.
  REDIS_SENTINELS: z
    .string()
    .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'host:port of each sentinel, comma-separated')
    .optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  QUEUE_PREFIX: z.string().default('{stepup}'),
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  MASTER_KEY: base64Key32.optional(),
  MASTER_KEY_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/).default('k1'),
  PREVIOUS_MASTER_KEYS: z.string().default(''),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_FROM: z.string().optional(),
  TWILIO_API_BASE_URL: z.url().optional(),
  TWILIO_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z.string().default('64kb'),
  RATE_LIMIT_PER_KEY_PER_MINUTE: z.coerce.number().int().positive().default(600),
  // Which proxies' X-Forwarded-For to believe when counting failed authentications per client address:
  // a hop count or addresses/subnets (express 'trust proxy'); never "true", which any client could spoof.
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|\s*(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(\/\d{1,3})?))*\s*)$/,
      'a hop count, or comma-separated addresses, subnets, loopback, linklocal or uniquelocal',
    )
    .optional(),
  AUTH_FAILURE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  API_KEY_MISS_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  // Empty means unset (compose files pass `METRICS_TOKEN=` through).
  METRICS_TOKEN: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(24, 'must be at least 24 characters').optional()),
  ALLOW_LOOPBACK_CALLBACKS: booleanFromEnv.default(false),
  // Console sessions (docs/console.md): idle and absolute lifetimes.
  CONSOLE_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  CONSOLE_ABSOLUTE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(604_800).default(28_800),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
  // A query on the root database handle from inside a transaction throws (always on PGlite, where it
  // would wait forever; on PostgreSQL when set: the test suite runs with it).
  DB_TX_GUARD: booleanFromEnv.default(false),
  // /readyz calls the database stuck when a query has been pending longer than this.
  DB_STUCK_AFTER_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // Slow or abandoned requests (docs/security.md, L4/L6): how long receiving headers, and a whole request,
  // may take; how many connections one client address may hold open (0: no cap).
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).max(100_000).default(256),
  MAX_BANK_REQUESTS_IN_FLIGHT: z.coerce.number().int().min(0).max(100_000).default(64),
  // A process whose event loop runs later than this (ms) sheds bank requests for a second (0: never).
  MAX_EVENT_LOOP_LAG_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  POLICY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  // A channel's own variables (ARS_*, WEBAUTHN_*) are its module's: ChannelModule.config, below.
});

export type Env = z.infer<typeof envSchema>;

/**
 * A module's own environment variables (ChannelModule.config, docs/architecture.md "How a channel
 * plugs in"): name → its schema (parsing the string the environment holds) and what it sets.
 */
export type ModuleEnv = Record<string, { schema: z.ZodType; description: string }>;

/** What a module's variables hold once read: variable name → its schema's output. */
export type ModuleSettings<E extends ModuleEnv> = { -readonly [K in keyof E]: z.output<E[K]['schema']> };

/** The core's configuration, as a module's `deriveConfig` sees it. */
export type CoreConfig = Omit<Config, 'modules'>;

/**
 * Checks a module's variables together and against the core's (ChannelModule.deriveConfig), and works
 * out settings from them: `values` replace what was read; an issue stops the start-up like a bad value.
 */
export type ModuleConfigDeriver = (values: Record<string, unknown>, core: CoreConfig) => { values: Record<string, unknown>; issues: string[] };

/** What loadConfig needs of a module: its name, its variables and their joint checks. */
export interface ConfiguredModule {
  name: string;
  config?: ModuleEnv;
  deriveConfig?: ModuleConfigDeriver;
}

/**
 * A module's settings as loadConfig read them (`config.modules[name]`), typed by its declaration. A
 * configuration loaded without the module has none: asking for them is an error, never a default.
 */
export function moduleSettings<E extends ModuleEnv, Extra extends Record<string, unknown> = Record<never, never>>(config: Pick<Config, 'modules'>, name: string, _env: E): ModuleSettings<E> & Extra {
  const values = config.modules[name];
  if (!values) throw new Error(`the configuration was loaded without the ${name} module: pass the module list to loadConfig`);
  return values as ModuleSettings<E> & Extra;
}

export interface Config {
  /** Each module's settings, by module name, then variable name (loadConfig's `modules`). */
  modules: Record<string, Record<string, unknown>>;
  role: 'all' | 'api' | 'worker';
  port: number;
  host: string;
  publicBaseUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string;
  /** Where every Redis connection goes: REDIS_URL, or the primary that REDIS_SENTINELS name (docs/deployment.md). */
  redis: RedisTarget;
  queuePrefix: string;
  adminToken: string | undefined;
  masterKeys: { current: { id: string; key: Buffer }; previous: { id: string; key: Buffer }[] };
  twilio: { accountSid: string; authToken: string; from: string; apiBaseUrl: string | undefined; requestTimeoutMs: number } | undefined;
  logLevel: Env['LOG_LEVEL'];
  bodyLimit: string;
  rateLimitPerKeyPerMinute: number;
  /** express 'trust proxy': false unless TRUST_PROXY names the proxies in front. */
  trustProxy: false | number | string;
  /** Failed bank/admin authentications per client address per minute before 429. */
  authFailureLimitPerMinute: number;
  /** How long each process trusts a found API key / remembers an unknown one. */
  apiKeyCacheMs: number;
  apiKeyMissCacheMs: number;
  /** Bearer token for GET /metrics; without it /metrics is 404. */
  metricsToken: string | undefined;
  allowLoopbackCallbacks: boolean;
  shutdownGraceMs: number;
  /** DB_TX_GUARD: the PostgreSQL adapter refuses root-handle queries from inside a transaction. */
  dbTxGuard: boolean;
  /** DB_STUCK_AFTER_MS: a query pending longer makes /readyz report the database as stuck. */
  dbStuckAfterMs: number;
  /** server.headersTimeout: the request's headers must arrive within this (HTTP_HEADERS_TIMEOUT_MS). */
  httpHeadersTimeoutMs: number;
  /** server.requestTimeout: the whole request must arrive within this (HTTP_REQUEST_TIMEOUT_MS). */
  httpRequestTimeoutMs: number;
  /** Bank API requests one process serves at once; more are answered 503 at once; 0 for no bound (MAX_BANK_REQUESTS_IN_FLIGHT). */
  maxBankRequestsInFlight: number;
  /** Bank requests are answered 503 at once while the event loop runs later than this, in ms; 0 never (MAX_EVENT_LOOP_LAG_MS). */
  maxEventLoopLagMs: number;
  /** Open connections one client address may hold; 0 for no cap (MAX_CONNECTIONS_PER_ADDRESS). */
  maxConnectionsPerAddress: number;
  /** CONSOLE_IDLE_TIMEOUT_SECONDS / CONSOLE_ABSOLUTE_TIMEOUT_SECONDS: console session lifetimes. */
  consoleIdleTimeoutSeconds: number;
  consoleAbsoluteTimeoutSeconds: number;
  /** POLICY_CACHE_MS: how long a process serves a tenant's policy before reading it again. */
  policyCacheMs: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** `PREVIOUS_MASTER_KEYS="k0:base64,kold:base64"`: keys that still decrypt but never encrypt. */
function parsePreviousKeys(raw: string): { id: string; key: Buffer }[] {
  if (raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const [id, value] = entry.split(':');
    const key = Buffer.from(value ?? '', 'base64');
    if (!id || key.length !== 32) throw new ConfigError([`PREVIOUS_MASTER_KEYS: entry "${id ?? ''}" must be id:base64-of-32-bytes`]);
    return { id, key };
  });
}

/** One Redis (REDIS_URL), or the primary a set of sentinels names (REDIS_SENTINELS). */
export type RedisTarget =
  | { url: string; password?: string; sentinels?: undefined }
  | { sentinels: { host: string; port: number }[]; name: string; sentinelPassword?: string; password?: string; url?: undefined };

/** REDIS_URL, or Sentinel when REDIS_SENTINELS is set (then REDIS_SENTINEL_NAME is required). */
function redisTarget(e: z.infer<typeof envSchema>, issues: string[]): RedisTarget {
  if (!e.REDIS_SENTINELS) {
    if (e.REDIS_SENTINEL_NAME || e.REDIS_SENTINEL_PASSWORD) issues.push('REDIS_SENTINEL_NAME, REDIS_SENTINEL_PASSWORD: only with REDIS_SENTINELS');
    return { url: e.REDIS_URL, ...(e.REDIS_PASSWORD ? { password: e.REDIS_PASSWORD } : {}) };
  }
  if (!e.REDIS_SENTINEL_NAME) issues.push('REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the name the sentinels monitor the primary under)');
  const sentinels = e.REDIS_SENTINELS.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':');
    return { host: host!, port: Number(port) };
  });
  return {
    sentinels,
    name: e.REDIS_SENTINEL_NAME ?? '',
    ...(e.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: e.REDIS_SENTINEL_PASSWORD } : {}),
    ...(e.REDIS_PASSWORD ? { password: e.REDIS_PASSWORD } : {}),
  };
}

/**
 * The typed configuration from `env`: the core's variables (envSchema) and those each module in
 * `modules` declares (the server's module list, src/server/channel-modules.ts). Every bad variable is
 * named at once; a module's joint checks (`deriveConfig`) run once the core's and its own variables are valid.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, modules: readonly ConfiguredModule[] = []): Config {
  const parsed = envSchema.safeParse(env);
  const declared = moduleVariables(env, modules);
  if (!parsed.success) {
    throw new ConfigError([...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`), ...declared.issues]);
  }
  const e = parsed.data;
  const issues: string[] = [];
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) issues.push('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS');
  if (!e.MASTER_KEY) issues.push('MASTER_KEY: required (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)');
  const twilioVars = [e.TWILIO_ACCOUNT_SID, e.TWILIO_AUTH_TOKEN, e.TWILIO_FROM];
  if (twilioVars.some(Boolean) && !twilioVars.every(Boolean)) {
    issues.push('TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM: set all three or none');
  }
  if (e.STEPUP_ROLE !== 'all' && !e.DATABASE_URL) {
    issues.push(
      `STEPUP_ROLE=${e.STEPUP_ROLE}: the embedded database (PGlite, without DATABASE_URL) serves one process, so api and worker cannot run apart on it; set DATABASE_URL to a PostgreSQL server, or run STEPUP_ROLE=all`,
    );
  }
  const port = e.PORT;
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  const redis = redisTarget(e, issues);
  if (issues.length > 0 || declared.issues.length > 0) throw new ConfigError([...issues, ...declared.issues]);
  const core: CoreConfig = {
    role: e.STEPUP_ROLE,
    port,
    host: e.HOST,
    publicBaseUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    redis,
    queuePrefix: e.QUEUE_PREFIX,
    adminToken: e.ADMIN_TOKEN,
    masterKeys: {
      current: { id: e.MASTER_KEY_ID, key: Buffer.from(e.MASTER_KEY!, 'base64') },
      previous: parsePreviousKeys(e.PREVIOUS_MASTER_KEYS),
    },
    twilio:
      e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.TWILIO_FROM
        ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, from: e.TWILIO_FROM, apiBaseUrl: e.TWILIO_API_BASE_URL, requestTimeoutMs: e.TWILIO_REQUEST_TIMEOUT_MS }
        : undefined,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    rateLimitPerKeyPerMinute: e.RATE_LIMIT_PER_KEY_PER_MINUTE,
    trustProxy: e.TRUST_PROXY === undefined ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    authFailureLimitPerMinute: e.AUTH_FAILURE_LIMIT_PER_MINUTE,
    apiKeyCacheMs: e.API_KEY_CACHE_MS,
    apiKeyMissCacheMs: e.API_KEY_MISS_CACHE_MS,
    metricsToken: e.METRICS_TOKEN,
    allowLoopbackCallbacks: e.ALLOW_LOOPBACK_CALLBACKS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    dbTxGuard: e.DB_TX_GUARD,
    dbStuckAfterMs: e.DB_STUCK_AFTER_MS,
    httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    maxBankRequestsInFlight: e.MAX_BANK_REQUESTS_IN_FLIGHT,
    maxEventLoopLagMs: e.MAX_EVENT_LOOP_LAG_MS,
    consoleIdleTimeoutSeconds: e.CONSOLE_IDLE_TIMEOUT_SECONDS,
    consoleAbsoluteTimeoutSeconds: e.CONSOLE_ABSOLUTE_TIMEOUT_SECONDS,
    policyCacheMs: e.POLICY_CACHE_MS,
  };
  // The modules' joint checks and derived settings (e.g. the WebAuthn relying party from PUBLIC_BASE_URL).
  for (const module of modules) {
    const values = declared.settings[module.name];
    if (!module.deriveConfig || !values) continue;
    const derived = module.deriveConfig(values, core);
    issues.push(...derived.issues);
    declared.settings[module.name] = derived.values;
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { modules: declared.settings, ...core };
}

/** Each module's variables, validated like the core's; a name is declared once (the core's or one module's). */
function moduleVariables(env: NodeJS.ProcessEnv, modules: readonly ConfiguredModule[]): { settings: Record<string, Record<string, unknown>>; issues: string[] } {
  const issues: string[] = [];
  const declaredBy = new Map<string, string>(Object.keys(envSchema.shape).map((name) => [name, 'the core']));
  const settings: Record<string, Record<string, unknown>> = {};
  for (const module of modules) {
    if (!module.config) continue;
    const values: Record<string, unknown> = {};
    for (const [name, variable] of Object.entries(module.config)) {
      const earlier = declaredBy.get(name);
      if (earlier !== undefined) {
        issues.push(`${name}: declared by the ${module.name} module and by ${earlier}`);
        continue;
      }
      declaredBy.set(name, `the ${module.name} module`);
      const parsed = variable.schema.safeParse(env[name]);
      if (parsed.success) values[name] = parsed.data;
      else issues.push(...parsed.error.issues.map((issue) => `${name}: ${issue.message}`));
    }
    settings[module.name] = values;
  }
  return { settings, issues };
}
