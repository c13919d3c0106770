import { QueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { session } from './session';

/** The API's problem details (RFC 9457), as every error of the API is written. */
export interface FieldError {
  field: string;
  reason: string;
}
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: FieldError[] = [],
  ) {
    super(detail ?? title);
  }
}

/**
 * The intake and a draft's confirmation (the dossier number is their key) and a new receipt code take no
 * Idempotency-Key: their answers carry a receipt code, which is never kept to be replayed.
 */
const unkeyed = /^\/v1\/(dossiers(\/[^/]+\/receipt-code)?|notices\/[^/]+\/confirmation)$/;

/**
 * One call to the API on this origin with the session's token. A state-changing call carries an
 * Idempotency-Key, so a click repeated after a network hiccup is the same request, never a second act.
 */
export async function api<T>(
  path: string,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; idempotencyKey?: string; anonymous?: boolean } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  // The citizen's lookup is nobody's session: a clerk's token at the same browser is not sent with it.
  const token = init.anonymous ? null : session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST' && !init.anonymous && !unkeyed.test(path)) headers['idempotency-key'] = init.idempotencyKey ?? crypto.randomUUID();
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: init.body === undefined ? null : JSON.stringify(init.body), cache: 'no-store' });
  } catch {
    throw new ApiProblem(0, 'Network', 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.');
  }
  if (response.status === 401 && token) session.expire();
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const problem = (body ?? {}) as { title?: string; detail?: string; errors?: FieldError[] };
    throw new ApiProblem(response.status, problem.title ?? response.statusText, problem.detail, problem.errors ?? []);
  }
  return body as T;
}

/** A query string from a filter, leaving out what is unset. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Only what the page shows, in memory, for this tab: nothing outlives the session.
      gcTime: 5 * 60_000,
      staleTime: 2_000,
      retry: (count, error) => count < 2 && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: true,
    },
  },
});

/**
 * The Idempotency-Key of an action the user may have to repeat: the same key until the API has
 * answered it for good (a success, or a 4xx that a retry cannot change), so a click repeated after a
 * lost answer or a 503 is the same request, and a corrected form is a new one.
 */
export function useRetryKey(): { key: () => string; settle: (error?: unknown) => void } {
  const current = useRef<string>(crypto.randomUUID());
  return {
    key: () => current.current,
    settle: (error?: unknown) => {
      const retryable = error instanceof ApiProblem && (error.status === 0 || error.status >= 500);
      if (!retryable) current.current = crypto.randomUUID();
    },
  };
}
