import { z } from 'zod';
import { dossierNumberSchema } from '../domain/intake';

/**
 * The pieces the API's routes and views all describe the same way: declared once, so that a route
 * cannot drift from the others (a reason accepted at one endpoint and refused at another).
 */

/** A route for signed-in callers: the bearer token of the OpenAPI document's `bearerAuth` scheme. */
export const security = [{ bearerAuth: [] }];

/** A moment in an answer, as ISO 8601; null where there is none (yet). */
export const timestamp = z.iso.datetime().nullable();
export const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** Why a person acts (withdraws, cancels, reassigns, decides): free text kept in the audit. */
export const reason = z.string().trim().min(3, 'say why, in a few words').max(500, 'too long');

/** Path parameters: a dossier by its number, a row (task, notice, saved view) by its id. */
export const dossierParams = z.object({ dossierNumber: dossierNumberSchema });
export const idParams = z.object({ id: z.uuid() });

/**
 * A file answered as its own bytes, documented under the media types it is sent with (not as JSON), so
 * a client, and the conformance check, expect what the server sends.
 */
export const fileResponse = (description: string, mediaTypes: readonly string[]) => ({
  description,
  content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: z.any() }])),
});
