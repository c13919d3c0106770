import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { checksPermission } from './auth/plugin';
import { idempotencyKeyHeader, takesIdempotencyKey } from './idempotency';
import { problemResponses, type ProblemStatus } from './problem';
import { cleanTextPattern } from './text-hygiene';

/**
 * What a route can answer, stated where the answers come from rather than route by route: the hooks and
 * handlers every request passes through refuse in the same ways on every route, so their statuses are
 * added here to each documented route's own (its 404s and 409s). Declared on the route itself, the
 * statuses serve twice: the serialiser checks each problem against the problem schema, and the OpenAPI
 * document lists them with RFC 9457's media type.
 */
export function declareProblemResponses(isPublic: (route: string | undefined) => boolean): (route: RouteOptions) => void {
  return (route) => {
    const schema = route.schema as ({ hide?: boolean; response?: Record<string, unknown> } & RouteOptions['schema']) | undefined;
    if (!schema || schema.hide) return;
    const methods = [route.method].flat();
    const statuses: ProblemStatus[] = [
      // Validation, control characters anywhere in the input (text hygiene), malformed JSON.
      400,
      // The database, the workflow service or the identity provider out of reach.
      503,
    ];
    // Fastify reads a body sent to any POST: too large, or not JSON.
    if (methods.includes('POST')) statuses.push(413, 415);
    if (!isPublic(route.url)) statuses.push(401);
    if (checksPermission(route.preHandler)) statuses.push(403);
    // A request still running under the same key; the key reused for another request.
    if (methods.some((method) => takesIdempotencyKey(method, route.url))) statuses.push(409, 422);
    if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) statuses.push(429);
    route.schema = { ...schema, response: { ...problemResponses(...statuses), ...schema.response } };
  };
}

/** A JSON Schema as the transform emits it: only the keywords walked here are named. */
interface JsonSchema {
  type?: string | string[];
  pattern?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  [keyword: string]: unknown;
}

/** Where a request schema allows any value, text hygiene still allows only this: strings without control characters, at any depth. */
export const cleanValueName = 'CleanValue';
const cleanValueRef = { $ref: `#/components/schemas/${cleanValueName}` };
export const cleanValueSchema = {
  description: 'Any JSON value whose strings hold no control characters',
  nullable: true,
  anyOf: [
    { type: 'string' as const, pattern: cleanTextPattern },
    { type: 'number' as const },
    { type: 'boolean' as const },
    { type: 'array' as const, items: cleanValueRef },
    { type: 'object' as const, additionalProperties: cleanValueRef },
  ],
};

const isAnything = (schema: unknown): boolean => schema === true || (typeof schema === 'object' && schema !== null && Object.keys(schema).length === 0);

/**
 * States text hygiene (api/text-hygiene.ts) in a request schema, in place: it refuses control characters in
 * every string of body, query and path, so a string the route's schema leaves free carries its pattern, and a
 * value the schema leaves open (`z.unknown()`, a record's values) is a clean value.
 */
function stateTextHygiene(schema: JsonSchema): JsonSchema {
  if (isAnything(schema)) return cleanValueRef;
  const types = [schema.type].flat();
  if (types.includes('string') && schema.pattern === undefined && schema.format === undefined && schema.enum === undefined) schema.pattern = cleanTextPattern;
  if (schema.properties) for (const [name, property] of Object.entries(schema.properties)) schema.properties[name] = stateTextHygiene(property);
  if (schema.items) schema.items = stateTextHygiene(schema.items);
  for (const list of [schema.anyOf, schema.oneOf, schema.allOf]) list?.forEach((option, i) => (list[i] = stateTextHygiene(option)));
  // Values of a record (an open map); properties a schema does not name are left unstated, as the route's
  // schema leaves them: a recursive schema on every object makes request generation give up.
  if (typeof schema.additionalProperties === 'object' || schema.additionalProperties === true) {
    schema.additionalProperties = stateTextHygiene(schema.additionalProperties as JsonSchema);
  }
  return schema;
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type ResponseEntry = { headers?: Record<string, object> } | undefined;

/**
 * The zod transform of fastify-type-provider-zod, completed where it falls short of what the server does:
 * - request strings and open values carry the text-hygiene rule;
 * - a 204 is documented without a body (the transform would give its `z.null()` a JSON body);
 * - a response's headers (Retry-After, WWW-Authenticate) are kept, which the transform drops from
 *   responses declared per media type;
 * - the Idempotency-Key header the idempotency hook reads is documented as a parameter of the routes it reads it on.
 */
export function openApiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const output = jsonSchemaTransform(input);
  const transformed = output.schema as { hide?: boolean; response?: Record<string, unknown> } & Partial<Record<'body' | 'querystring' | 'params' | 'headers', JsonSchema>>;
  if (transformed.hide) return output;
  for (const part of ['body', 'querystring', 'params'] as const) if (transformed[part]) transformed[part] = stateTextHygiene(transformed[part]);
  const declared = (input.schema as { response?: Record<string, ResponseEntry> }).response ?? {};
  for (const [status, entry] of Object.entries(transformed.response ?? {})) {
    // `type: 'null'` is @fastify/swagger's sign for an answer without content.
    if (status === '204') transformed.response![status] = { type: 'null', description: 'Done: no content' };
    else if (declared[status]?.headers) transformed.response![status] = { ...(entry as object), headers: declared[status].headers };
  }
  if ([input.route.method].flat().some((method) => takesIdempotencyKey(method, input.url)) && !transformed.headers) {
    transformed.headers = { type: 'object', properties: { [idempotencyKeyHeader.name]: idempotencyKeyHeader.schema } };
  }
  return output;
}
