import { parseArgs } from 'node:util';
import { z } from 'zod';
import { signToken, type TokenSettings } from '../api/auth/tokens';
import { principalClaimsSchema, principalRoles, type Principal } from '../domain/principal';
import { durationSeconds, loadSettings, type Config } from '../runtime/config';

/**
 * `npm run token -- --role AGENCY_OFFICER --agency COMMUNE_POLICE --province 79 --commune 26743 --subject officer-1`
 * prints a bearer token for the API, signed with the configured secret. The scope follows from the
 * codes given: province and commune → COMMUNE, province only → PROVINCE, neither → NATIONAL.
 * Only the token goes to stdout, so `TOKEN=$(npm run -s token -- ...)` works.
 */
const usage = `usage: npm run token -- --role <${principalRoles.join('|')}> --subject <id>
         [--agency <agency role>] [--province <code> [--commune <code>]] [--ttl <e.g. 12h>]`;

export class UsageError extends Error {}

const argsSchema = z.object({
  role: z.string({ error: 'is required' }),
  subject: z.string({ error: 'is required' }),
  agency: z.string().optional(),
  province: z.string().optional(),
  commune: z.string().optional(),
  ttl: durationSeconds.optional(),
});

/** Where a claim's problem came from on the command line. */
const flagOfClaim: Record<string, string> = {
  sub: '--subject',
  role: '--role',
  agency: '--agency',
  'jurisdiction.provinceCode': '--province',
  'jurisdiction.communeCode': '--commune',
  'jurisdiction.scope': '--province/--commune',
};

function fail(issues: readonly z.core.$ZodIssue[], flagOf: (path: string) => string): never {
  const lines = issues.map((i) => `  ${flagOf(i.path.join('.'))}: ${i.message}`);
  throw new UsageError(`${lines.join('\n')}\n${usage}`);
}

export interface TokenRequest {
  principal: Principal;
  ttlSeconds?: number;
}

export function parseTokenRequest(argv: readonly string[]): TokenRequest {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.keys(argsSchema.shape).map((k) => [k, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  const args = argsSchema.safeParse(values);
  if (!args.success) fail(args.error.issues, (path) => `--${path}`);
  const { role, subject, agency, province, commune, ttl } = args.data;
  if (commune !== undefined && province === undefined) throw new UsageError(`  --commune: needs --province\n${usage}`);

  const jurisdiction =
    province === undefined
      ? { scope: 'NATIONAL' }
      : commune === undefined
        ? { scope: 'PROVINCE', provinceCode: province }
        : { scope: 'COMMUNE', provinceCode: province, communeCode: commune };
  const principal = principalClaimsSchema.safeParse({ sub: subject, role, agency, jurisdiction });
  if (!principal.success) fail(principal.error.issues, (path) => flagOfClaim[path] ?? path);
  return { principal: principal.data, ...(ttl !== undefined ? { ttlSeconds: ttl } : {}) };
}

/** What the script does, as a function: parse the arguments and sign. Throws UsageError. */
export async function issueToken(argv: readonly string[], settings: TokenSettings & Pick<Config, 'AUTH_OIDC_ISSUER'>): Promise<string> {
  // With an issuer the API verifies every token with the provider's keys and refuses HS256 ones: a
  // token signed here would never work, and a shared secret able to sign any principal is not kept.
  if (settings.AUTH_OIDC_ISSUER !== undefined) {
    throw new Error(
      'AUTH_OIDC_ISSUER is set: the API accepts only the identity provider\'s tokens. Machine clients get theirs from the provider (client credentials grant); `npm run token` is for deployments without an issuer',
    );
  }
  const request = parseTokenRequest(argv);
  // The API would refuse it: say so now rather than hand out a token that never works.
  if ((request.ttlSeconds ?? 0) > settings.AUTH_TOKEN_MAX_TTL) throw new UsageError(`  --ttl: must not exceed AUTH_TOKEN_MAX_TTL (${settings.AUTH_TOKEN_MAX_TTL}s)\n${usage}`);
  return signToken(settings, request.principal, request.ttlSeconds !== undefined ? { ttlSeconds: request.ttlSeconds } : {});
}

async function main(): Promise<void> {
  // Without a private secret the token is for the development stack (`npm start`), signed with its secret.
  if (!process.env.AUTH_JWT_SECRET && !process.env.AUTH_OIDC_ISSUER) process.env.LIEN_THONG_DEV_MODE ??= 'true';
  const token = await issueToken(process.argv.slice(2), loadSettings(['auth']));
  process.stdout.write(`${token}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(error instanceof UsageError ? `invalid arguments:\n${error.message}\n` : `${(error as Error).message}\n`);
    process.exit(2);
  });
}
