import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, type FieldError } from './problem';

/** Control characters no request may carry anywhere; tab and line breaks stay allowed in free text. */
const controlCharacters = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F';
const forbidden = new RegExp(`[${controlCharacters}]`);
/** The same rule as a JSON Schema pattern, for the OpenAPI document's strings. */
export const cleanTextPattern = `^[^${controlCharacters}]*$`;
/** JSON deeper than any request of ours: refused before anything walks it. */
const maxDepth = 32;

/**
 * Every string the API receives, in body, query and path, is NFC-normalised (an intake typed with
 * decomposed Vietnamese diacritics is the same intake, with the same digest, as the composed one) and
 * refused when it holds a control character (PostgreSQL cannot store U+0000; a later write inside a
 * workflow must never be the first to find out). One walk for every route, before validation.
 */
export function cleanText(value: unknown, path: string, errors: FieldError[], depth = 0): unknown {
  if (typeof value === 'string') {
    if (forbidden.test(value)) errors.push({ field: path, reason: 'must not contain control characters' });
    return value.normalize('NFC');
  }
  if (value === null || typeof value !== 'object') return value;
  // A file's bytes (an attachment's body) are not text.
  if (Buffer.isBuffer(value)) return value;
  if (depth >= maxDepth) {
    errors.push({ field: path, reason: `nested more than ${maxDepth} levels` });
    return value;
  }
  if (Array.isArray(value)) return value.map((item, i) => cleanText(item, `${path}.${i}`, errors, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.normalize('NFC'), cleanText(item, `${path}.${key}`, errors, depth + 1)]));
}

export async function textHygiene(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const errors: FieldError[] = [];
  request.body = cleanText(request.body, 'body', errors);
  request.query = cleanText(request.query, 'querystring', errors);
  request.params = cleanText(request.params, 'params', errors);
  if (errors.length > 0) {
    throw new ProblemError(400, 'Invalid request', `the request has ${errors.length} invalid field(s)`, errors.slice(0, 20));
  }
}
