import { useSyncExternalStore } from 'react';

/**
 * The signed-in token, kept for this browser tab only (sessionStorage): closing the tab signs out, and
 * nothing about the user or citizens is written to disk by the console.
 */
const key = 'lien-thong.token';
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

export const session = {
  token: (): string | null => sessionStorage.getItem(key),
  signIn(token: string): void {
    sessionStorage.setItem(key, token);
    notify();
  },
  signOut(): void {
    sessionStorage.removeItem(key);
    notify();
  },
  /** The API refused the token (expired, revoked): back to the sign-in page. */
  expire(): void {
    session.signOut();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useToken(): string | null {
  return useSyncExternalStore(session.subscribe, session.token);
}
