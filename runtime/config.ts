import { z } from 'zod';
import { parseManualSteps, StepModeConfigError, type ManualStepRule } from '../domain/step-modes';

/**
 * The one place the processes read their environment. Unset variables fall back to the embedded
 * defaults used by `npm start`; a set but malformed value stops the process with the variable named.
 */
const port = z.coerce.number().int().min(0).max(65535);
const workingDays = z.coerce.number().int().min(1).max(60);

/**
 * A duration as people write it in an environment file ('90s', '30m', '12h', '7d'), read as seconds.
 * Kept to one unit so a typo cannot silently mean something else.
 */
const durationUnits = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
export const durationSeconds = z
  .string()
  .regex(/^[1-9]\d*[smhd]$/, "expected a duration such as '90s', '30m', '12h' or '7d'")
  .transform((v) => Number(v.slice(0, -1)) * durationUnits[v.slice(-1) as keyof typeof durationUnits]);

/**
 * Signs the API's development tokens when AUTH_JWT_SECRET is unset in development mode
 * (LIEN_THONG_DEV_MODE=true, set by `npm start` and the test harness), so they run with no setup. It is
 * public (it is in the repository): any other start refuses it.
 */
export const DEVELOPMENT_JWT_SECRET = 'lien-thong-development-only-secret-do-not-use-in-production';

/**
 * Keys the receipt codes' hashes when RECEIPT_CODE_KEY is unset in development mode. Public like the
 * development JWT secret: any other start refuses it.
 */
export const DEVELOPMENT_RECEIPT_CODE_KEY = 'lien-thong-development-only-receipt-code-key';

/**
 * Which proxies in front of the API are trusted to name the client in X-Forwarded-For (the address the
 * public lookup is rate-limited by): a comma list of addresses and CIDR ranges.
 */
const trustedProxies = z
  .string()
  .regex(/^[0-9A-Fa-f.:/]+(,\s*[0-9A-Fa-f.:/]+)*$/, "expected a comma list of addresses and CIDR ranges, e.g. '10.0.0.0/8,127.0.0.1'")
  .transform((v) => v.split(',').map((a) => a.trim()));

/** 'true' or 'false' only: anything else is a typo that must not silently switch a mode. */
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

const configObject = z.object({
  /** Development mode: the public development JWT secret is allowed, and while it signs, the printed development tokens. */
  LIEN_THONG_DEV_MODE: flag.default(false),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** Unset: `npm start` runs its own Temporal dev server. Set: a Temporal cluster (host:port). */
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('lien-thong'),
  TEMPORAL_UI_URL: z.url().optional(),

  /** Unset: `npm start` runs an embedded PostgreSQL under .data/. Set: a real PostgreSQL. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgresql:// connection string')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  /**
   * The API's operations port: /metrics, the OpenAPI document and its UI (/docs) and the health probes,
   * kept off the citizen-facing port; for Prometheus, the orchestrator and developers on the internal network.
   */
  API_OPS_HOST: z.string().default('127.0.0.1'),
  API_OPS_PORT: port.default(3001),
  /** Unset: the API is reached directly and the socket's address is the client's. */
  API_TRUST_PROXY: trustedProxies.optional(),
  PUBLIC_BASE_URL: z.url().optional(),

  /** The worker's Prometheus endpoint (/metrics); port 0 turns it off. */
  WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  WORKER_METRICS_PORT: port.default(9464),
  /**
   * Loopback port of the Temporal SDK core's own Prometheus exporter, read by the worker's /metrics;
   * port 0 turns the core's metrics off.
   */
  TEMPORAL_SDK_METRICS_PORT: port.default(9465),

  /** Where the agencies' systems answer; by default the bundled agency simulator. */
  AGENCY_BASE_URL: z.url().optional(),
  AGENCY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  SIMULATOR_HOST: z.string().default('127.0.0.1'),
  SIMULATOR_PORT: port.default(3100),

  /** Embedded defaults of `npm start`: where its database and Temporal dev server keep their data. */
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_POSTGRES_PORT: port.default(54320),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),

  /** Working-day deadlines of the procedure groups (QĐ 296/QĐ-VPCP; configurable by decree). */
  BIRTH_GROUP_DEADLINE_WORKING_DAYS: workingDays.default(3),
  DEATH_GROUP_DEADLINE_WORKING_DAYS: workingDays.default(5),
  SUPPLEMENT_PERIOD_WORKING_DAYS: workingDays.default(7),
  /** A group still open this many working days after its deadline is escalated a second time. */
  SECOND_ESCALATION_WORKING_DAYS: workingDays.default(2),
  /**
   * Nghị định 63 Điều 7.2: a late group's agency apologises with a new date. When no officer has
   * within this many minutes of the appointment passing, the workflow apologises itself, with a new
   * date this many working days later.
   */
  APOLOGY_AUTOMATIC_AFTER_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 30).default(24 * 60),
  APOLOGY_DEFAULT_WORKING_DAYS: workingDays.default(2),
  /** Điều 7.3: the group's limit once an agency declares the dossier needs verification (once per group). */
  VERIFICATION_GROUP_DEADLINE_WORKING_DAYS: workingDays.default(5),
  /** Receives a POST for every escalation of an overdue dossier (no personal data in it). */
  ESCALATION_WEBHOOK_URL: z.url().optional(),
  /** Announcements of one escalation before it is given up (in /metrics); retried by the deadline sweep, a minute doubling to an hour apart. */
  ESCALATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(30),
  /**
   * Where announcements to the citizen are POSTed (the VNeID / SMS / email gateway; `npm start`: the
   * simulator's). Unset: they are recorded and wait, undelivered, for a worker that has a gateway.
   */
  NOTIFICATION_GATEWAY_URL: z.url().optional(),
  /** Attempts before an announcement is given up (FAILED, in /metrics); retried from the initial wait, doubling to the maximum. */
  NOTIFICATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  NOTIFICATION_RETRY_INITIAL_MS: z.coerce.number().int().min(10).default(10_000),
  NOTIFICATION_RETRY_MAX_MS: z.coerce.number().int().min(10).default(30 * 60_000),
  /**
   * The online channel: where status messages of dossiers submitted on the national public service
   * portal / VNeID are POSTed (`npm start`: the simulator's). Unset: they are recorded and wait.
   */
  PORTAL_URL: z.url().optional(),
  PORTAL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Failed sends after which a portal message counts as failing in /metrics (it is still retried, a minute apart). */
  PORTAL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(20),
  /** How many dossiers a supervisor's bulk decision updates at once. */
  BULK_DECISION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  /** How often the deadline sweep looks for steps past their agency's deadline. */
  DEADLINE_SWEEP_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
  /** How often each API instance starts the workflows of accepted dossiers Temporal did not accept at intake. */
  INTAKE_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** A dossier received at or after this hour (Asia/Ho_Chi_Minh) counts from the next working day. */
  INTAKE_CUTOFF_HOUR: z.coerce.number().int().min(0).max(23).default(15),

  /** Automated steps: how many attempts before a step is reported as failed. */
  STEP_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(12),
  STEP_RETRY_INITIAL_MS: z.coerce.number().int().min(10).default(1_000),
  STEP_RETRY_MAX_MS: z.coerce.number().int().min(10).default(60_000),
  /** Compensations: attempts before a failing undo becomes an incident for a supervisor. */
  COMPENSATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(20),

  /**
   * Which agencies' steps are MANUAL (a task in the agency's inbox) and where: a comma list of
   * AGENCY[@province[/commune]], e.g. 'COMMUNE_POLICE@79,SOCIAL_SECURITY'. Unset: every step automated.
   */
  MANUAL_STEPS: z
    .string()
    .optional()
    .transform((value, ctx): ManualStepRule[] => {
      try {
        return parseManualSteps(value);
      } catch (error) {
        if (!(error instanceof StepModeConfigError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    }),

  /**
   * HS256 key of the API's own bearer tokens (development, tests, `npm run token`); required unless in
   * development mode or signing in through an identity provider (see the refinement below).
   */
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_JWT_ISSUER: z.string().min(1).default('lien-thong'),
  /** Who the tokens are for: a token for another service signed with a shared key is refused. */
  AUTH_JWT_AUDIENCE: z.string().min(1).default('lien-thong-api'),
  /** Lifetime of a token issued by the API or `npm run token`, in seconds once parsed. */
  AUTH_TOKEN_TTL: durationSeconds.prefault('12h'),
  /** The longest lifetime (exp − iat) the API accepts in a token, in seconds once parsed. */
  AUTH_TOKEN_MAX_TTL: durationSeconds.prefault('24h'),

  /**
   * Where the dossiers' attachments (scanned documents) are kept: `disk` (one folder, for one host and
   * `npm start`; under .data/, git-ignored) or `s3` (any S3-compatible object storage, for several API
   * instances). S3 credentials come from the AWS SDK's usual sources (AWS_ACCESS_KEY_ID and
   * AWS_SECRET_ACCESS_KEY, a profile or the instance's role), never from this file.
   */
  ATTACHMENT_STORE: z.enum(['disk', 's3']).default('disk'),
  ATTACHMENT_DIR: z.string().min(1).default('.data/attachments'),
  ATTACHMENT_S3_BUCKET: z.string().min(3).optional(),
  /** Unset: AWS itself. Set: another S3-compatible server (MinIO, Ceph, a provider's endpoint). */
  ATTACHMENT_S3_ENDPOINT: z.url().optional(),
  ATTACHMENT_S3_REGION: z.string().min(1).default('us-east-1'),
  /** Bucket in the path rather than the host name: most S3-compatible servers want it. */
  ATTACHMENT_S3_FORCE_PATH_STYLE: flag.default(false),
  /** The largest file accepted, in bytes (default 10 MiB), and how many files one dossier may carry. */
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(10 * 1024 * 1024),
  ATTACHMENT_MAX_PER_DOSSIER: z.coerce.number().int().min(1).max(1000).default(30),
  /** A stored file no attachment refers to (an upload cut off after storing) is removed once this old, in seconds once parsed. */
  ATTACHMENT_ORPHAN_GRACE: durationSeconds.prefault('1h'),

  /**
   * HMAC key of the receipt codes' stored hashes (at least 32 characters); required by the API outside
   * development mode. Changing it voids every code handed out: the clerks then issue new ones.
   */
  RECEIPT_CODE_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The public status lookup: how many lookups one client address may make per window (seconds once parsed). */
  PUBLIC_LOOKUP_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
  PUBLIC_LOOKUP_WINDOW: durationSeconds.prefault('1m'),

  /**
   * Production sign-in: the identity provider (OIDC issuer, e.g. a Keycloak realm) whose RS256/PS256/
   * ES256/EdDSA tokens the API accepts instead of its own HS256 ones. Set, the shared secret is unused.
   */
  AUTH_OIDC_ISSUER: z.url().optional(),
  /** Where the provider publishes its keys, when discovery (`jwks_uri` of the issuer's openid-configuration) is not wanted. */
  AUTH_OIDC_JWKS_URL: z.url().optional(),
  /** The API's audience (client id) at the provider, when it differs from AUTH_JWT_AUDIENCE. */
  AUTH_OIDC_AUDIENCE: z.string().min(1).optional(),
  /** The web console's public client (Authorization Code + PKCE): it holds no secret, so only its id is configured. */
  AUTH_OIDC_CLIENT_ID: z.string().min(1).default('lien-thong-console'),
  /**
   * How the console asks the provider for a token meant for the API (its audience): `resource` (RFC
   * 8707, the audience an absolute URI), `audience` (Auth0, Ory Hydra) or `none` (the provider adds it
   * itself, as Keycloak's audience mapper does). Unset: `resource` when the audience is an absolute URI.
   */
  AUTH_OIDC_AUDIENCE_PARAMETER: z.enum(['resource', 'audience', 'none']).optional(),
  /** The scopes the console asks for: a provider may tie the API's audience to one (Zitadel's project scope, Entra's `api://…`). */
  AUTH_OIDC_SCOPE: z
    .string()
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'expected scopes separated by single spaces')
    .default('openid'),
});

/** Whether a value can be a resource indicator (RFC 8707 §2): an absolute URI without a fragment. */
export const isResourceIndicator = (value: string): boolean => URL.canParse(value) && !value.includes('#');

type Shape = typeof configObject.shape;
type Setting = keyof Shape;
type RawConfig = z.infer<typeof configObject>;

/** Every variable the processes read: deployment files are checked against this list. */
export const configVariables = Object.keys(configObject.shape) as Setting[];

/**
 * The settings by what reads them, so that each entry point validates only what it uses: migrating
 * needs no auth settings, the simulator no database. Every setting is in one section (checked by the
 * type below); `common` is validated by every entry point.
 */
type AuthSetting = Extract<Setting, `AUTH_${string}`>;
const listedSections = {
  common: ['LIEN_THONG_DEV_MODE', 'NODE_ENV', 'LOG_LEVEL'],
  temporal: ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_UI_URL'],
  database: ['DATABASE_URL', 'DATABASE_POOL_SIZE'],
  api: [
    'API_HOST',
    'API_PORT',
    'API_OPS_HOST',
    'API_OPS_PORT',
    'API_TRUST_PROXY',
    'PUBLIC_BASE_URL',
    'RECEIPT_CODE_KEY',
    'PUBLIC_LOOKUP_LIMIT',
    'PUBLIC_LOOKUP_WINDOW',
    'BULK_DECISION_CONCURRENCY',
    'INTAKE_RECONCILE_INTERVAL_SECONDS',
    'PORTAL_URL',
    'PORTAL_TIMEOUT_MS',
    'PORTAL_MAX_ATTEMPTS',
  ],
  worker: ['WORKER_METRICS_HOST', 'WORKER_METRICS_PORT', 'TEMPORAL_SDK_METRICS_PORT', 'DEADLINE_SWEEP_INTERVAL_MINUTES'],
  agencies: ['AGENCY_BASE_URL', 'AGENCY_TIMEOUT_MS', 'ESCALATION_WEBHOOK_URL', 'ESCALATION_MAX_ATTEMPTS', 'NOTIFICATION_GATEWAY_URL', 'NOTIFICATION_MAX_ATTEMPTS', 'NOTIFICATION_RETRY_INITIAL_MS', 'NOTIFICATION_RETRY_MAX_MS'],
  procedures: [
    'BIRTH_GROUP_DEADLINE_WORKING_DAYS',
    'DEATH_GROUP_DEADLINE_WORKING_DAYS',
    'SUPPLEMENT_PERIOD_WORKING_DAYS',
    'SECOND_ESCALATION_WORKING_DAYS',
    'APOLOGY_AUTOMATIC_AFTER_MINUTES',
    'APOLOGY_DEFAULT_WORKING_DAYS',
    'VERIFICATION_GROUP_DEADLINE_WORKING_DAYS',
    'INTAKE_CUTOFF_HOUR',
    'STEP_MAX_ATTEMPTS',
    'STEP_RETRY_INITIAL_MS',
    'STEP_RETRY_MAX_MS',
    'COMPENSATION_MAX_ATTEMPTS',
    'MANUAL_STEPS',
  ],
  simulator: ['SIMULATOR_HOST', 'SIMULATOR_PORT'],
  embedded: ['DATA_DIR', 'EMBEDDED_POSTGRES_PORT', 'TEMPORAL_DEV_PORT', 'TEMPORAL_UI_PORT'],
  attachments: [
    'ATTACHMENT_STORE',
    'ATTACHMENT_DIR',
    'ATTACHMENT_S3_BUCKET',
    'ATTACHMENT_S3_ENDPOINT',
    'ATTACHMENT_S3_REGION',
    'ATTACHMENT_S3_FORCE_PATH_STYLE',
    'ATTACHMENT_MAX_BYTES',
    'ATTACHMENT_MAX_PER_DOSSIER',
    'ATTACHMENT_ORPHAN_GRACE',
  ],
} as const satisfies Record<string, readonly Exclude<Setting, AuthSetting>[]>;
/** Tokens and sign-in: every AUTH_ setting, so one added later joins without being listed. */
const authSettings = configVariables.filter((key): key is AuthSetting => key.startsWith('AUTH_'));
const sections = { ...listedSections, auth: authSettings as readonly AuthSetting[] };
export type SectionName = keyof typeof sections;
type SettingIn<N extends SectionName> = (typeof sections)[N][number];
// A setting in no section would be validated by no entry point but `loadConfig`: fails typecheck here.
const everySettingInASection: [Exclude<Setting, SettingIn<SectionName>>] extends [never] ? true : never = true;
void everySettingInASection;
const allSections = Object.keys(sections) as SectionName[];

/**
 * Marks the values of the example deployment files (deploy/kubernetes/secret.yaml) that must be
 * replaced: such a value is public, as the development ones are, so no process starts with it.
 */
export const PLACEHOLDER_MARK = 'CHANGE-ME';
// The mark as a word of its own ('…:CHANGE-ME@…', 'CHANGE-ME-to-…'), so that no real host name is taken for one.
const placeholder = new RegExp(`(^|[^A-Za-z0-9])${PLACEHOLDER_MARK}($|[^A-Za-z0-9])`);

/** The rules across settings; each runs when the sections it reads are validated. */
function checkSettings(config: Partial<RawConfig>, has: (section: SectionName) => boolean, ctx: z.core.$RefinementCtx): void {
  // Every variable validated, secrets foremost; the refusal names the variable, never its value (a
  // secret, or a connection string with its password).
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'string' && placeholder.test(value)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `still holds the example's ${PLACEHOLDER_MARK} placeholder: set a private value` });
    }
  }
  if (config.LIEN_THONG_DEV_MODE && config.NODE_ENV === 'production') {
    ctx.addIssue({ code: 'custom', path: ['LIEN_THONG_DEV_MODE'], message: 'must not be on in production' });
  }
  if (has('api') && !config.LIEN_THONG_DEV_MODE && config.RECEIPT_CODE_KEY === DEVELOPMENT_RECEIPT_CODE_KEY) {
    ctx.addIssue({ code: 'custom', path: ['RECEIPT_CODE_KEY'], message: 'must be a private key outside development mode' });
  }
  if (has('attachments') && config.ATTACHMENT_STORE === 's3' && config.ATTACHMENT_S3_BUCKET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ATTACHMENT_S3_BUCKET'], message: 'must be set when ATTACHMENT_STORE is s3' });
  }
  if (!has('auth')) return;
  // Unset and set-to-the-development-value are the same mistake outside development: anyone can forge
  // tokens. Unset is fine with an identity provider, which then signs every token the API accepts.
  if (!config.LIEN_THONG_DEV_MODE && config.AUTH_JWT_SECRET === undefined && config.AUTH_OIDC_ISSUER === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['AUTH_JWT_SECRET'],
      message: 'must be set to a private secret, or AUTH_OIDC_ISSUER set to sign in through an identity provider (LIEN_THONG_DEV_MODE=true uses the development secret)',
    });
  }
  if (!config.LIEN_THONG_DEV_MODE && config.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['AUTH_JWT_SECRET'],
      message:
        config.AUTH_OIDC_ISSUER === undefined
          ? 'is the public development secret, allowed only with LIEN_THONG_DEV_MODE=true: set a private secret'
          : 'is the public development secret, allowed only with LIEN_THONG_DEV_MODE=true: set a private secret, or leave it unset since AUTH_OIDC_ISSUER signs the tokens',
    });
  }
  // Without an issuer they would be silently ignored, and the API would go on trusting its own secret.
  for (const key of ['AUTH_OIDC_JWKS_URL', 'AUTH_OIDC_AUDIENCE', 'AUTH_OIDC_AUDIENCE_PARAMETER'] as const) {
    if (config[key] !== undefined && config.AUTH_OIDC_ISSUER === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'needs AUTH_OIDC_ISSUER' });
  }
  if (config.AUTH_OIDC_AUDIENCE_PARAMETER === 'resource' && !isResourceIndicator(config.AUTH_OIDC_AUDIENCE ?? config.AUTH_JWT_AUDIENCE!)) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_OIDC_AUDIENCE_PARAMETER'], message: 'resource needs an audience that is an absolute URI (AUTH_OIDC_AUDIENCE), as RFC 8707 requires' });
  }
  if (config.AUTH_TOKEN_TTL! > config.AUTH_TOKEN_MAX_TTL!) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_TOKEN_TTL'], message: 'must not exceed AUTH_TOKEN_MAX_TTL' });
  }
}

/**
 * With an identity provider outside development mode, the JWT fallback only signs tokens the API
 * refuses. The receipt-code key has no such fallback outside development: the API refuses to start without it.
 */
export type Config = Omit<RawConfig, 'AUTH_JWT_SECRET'> & { AUTH_JWT_SECRET: string };

/** The settings of the sections named, and the common ones. */
export type Settings<N extends SectionName> = Pick<Config, SettingIn<N | 'common'>>;

export class ConfigError extends Error {}

/**
 * Validates the sections an entry point uses (and `common`), and nothing else: a setting of another
 * section, however malformed or unset, is not read.
 */
export function loadSettings<N extends SectionName>(names: readonly N[], env: NodeJS.ProcessEnv = process.env): Settings<N> {
  const included = new Set<SectionName>(['common', ...names]);
  const mask = Object.fromEntries([...included].flatMap((name) => sections[name].map((key) => [key, true] as const))) as Partial<Record<Setting, true>>;
  const schema = configObject
    .pick(mask)
    .superRefine((config, ctx) => checkSettings(config, (section) => included.has(section), ctx))
    .transform((config: Partial<RawConfig>) => ({
      ...config,
      ...(included.has('auth') ? { AUTH_JWT_SECRET: config.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET } : {}),
      ...(included.has('api') ? { RECEIPT_CODE_KEY: config.RECEIPT_CODE_KEY ?? (config.LIEN_THONG_DEV_MODE ? DEVELOPMENT_RECEIPT_CODE_KEY : undefined) } : {}),
    }));
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data as Settings<N>;
}

/** Every setting: for `npm start`, which runs every part, and the tests' stacks. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadSettings(allSections, env);
}

export function requireSetting<C extends object, K extends keyof C>(config: C, key: K): NonNullable<C[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new ConfigError(`${String(key)} must be set`);
  return value as NonNullable<C[K]>;
}
