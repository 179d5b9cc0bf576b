import type { ApiErrorBody, Session } from './api-types.ts';

export const SIGN_IN_PATH = '/dashboard/sign-in';

/**
 * The CSRF token of the session, from `POST` or `GET /v1/session`. Kept in memory only: a token
 * in storage would outlive the page and be readable by any script that ever ran on the origin.
 */
let csrfToken: string | null = null;

/** A refusal of the api (or no answer at all: status 0), with the input at fault when it names one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.error;
    this.field = body.field;
  }
}

/** The sign-in page, asked to come back here afterwards. */
export function signInUrl(): string {
  const here = `${location.pathname}${location.search}`;
  return here.startsWith(SIGN_IN_PATH) ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(here)}`;
}

/** Leaves for the sign-in page; the promise never settles, so the caller's work stops here. */
export function goToSignIn(): Promise<never> {
  location.assign(signInUrl());
  return new Promise<never>(() => {});
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** A 401 leaves for the sign-in page, except where a 401 is an answer to show (signing in). */
  signInOn401?: boolean;
}

async function send(method: 'GET' | 'POST' | 'DELETE', path: string, options: RequestOptions) {
  const headers: Record<string, string> = { accept: 'application/json' };
  // A write made with the session cookie must prove it comes from our page.
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal !== undefined) init.signal = options.signal;
  try {
    return await fetch(path, init);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, {
      error: 'network',
      message: 'The api could not be reached. Check the connection and try again.',
    });
  }
}

/**
 * Calls the JSON api on this origin with the session cookie. Resolves with the parsed body of a
 * 2xx; rejects with an ApiError otherwise. A 401 means the session is gone: back to sign-in.
 */
export async function apiRequest<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  let response = await send(method, path, options);
  if (response.status === 403 && method !== 'GET' && csrfToken !== null) {
    // The session may have been renewed in another tab with a new token: fetch it once and retry.
    const body = (await readJson(response)) as Partial<ApiErrorBody> | null;
    if (body?.field === 'headers.x-csrf-token') {
      await loadSession();
      response = await send(method, path, options);
    } else {
      throw new ApiError(403, toErrorBody(body, response));
    }
  }
  if (response.status === 401 && (options.signInOn401 ?? true)) return goToSignIn();
  const body = await readJson(response);
  if (!response.ok) throw new ApiError(response.status, toErrorBody(body, response));
  return body as T;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function toErrorBody(body: unknown, response: Response): ApiErrorBody {
  const candidate = body as Partial<ApiErrorBody> | null;
  if (candidate !== null && typeof candidate?.message === 'string') {
    return {
      error: String(candidate.error ?? 'error'),
      message: candidate.message,
      ...(typeof candidate.field === 'string' ? { field: candidate.field } : {}),
    };
  }
  return { error: 'error', message: `The api answered ${response.status} ${response.statusText}.` };
}

/** The signed-in merchant and the CSRF token; a 401 leaves for sign-in. */
export async function loadSession(options: { signInOn401?: boolean } = {}): Promise<Session> {
  const session = await apiRequest<Session>('GET', '/v1/session', options);
  csrfToken = session.csrf_token;
  return session;
}

/** Exchanges an API key for the session cookie; a wrong key rejects with field `body.api_key`. */
export async function signIn(apiKey: string): Promise<Session> {
  const session = await apiRequest<Session>('POST', '/v1/session', {
    body: { api_key: apiKey },
    signInOn401: false,
  });
  csrfToken = session.csrf_token;
  return session;
}

/** Ends the session on the server; the cookie is cleared by the answer. */
export async function signOut(): Promise<void> {
  await apiRequest<unknown>('DELETE', '/v1/session', { signInOn401: false });
  csrfToken = null;
}
