// The fetch both SDK clients hand their SDK: it counts the attempts of the request whose counter came along in the
// request's `fetchOptions` (under the client's own symbol), so retries, waits and stalls can be seen per request.

/** What a request carries so its attempts can be counted. */
export interface CountedAttempt {
  attempts: number;
  onStart?(): void;
}

type Fetch = (url: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch that counts attempts of requests carrying a counter under `key`, and hands each response or failure on. */
export function countingFetch<A extends CountedAttempt>(
  key: symbol,
  onResponse: (a: A, res: Response) => Response,
  onFailure: (a: A, e: unknown, init: RequestInit | undefined) => void,
): Fetch {
  return (url, init) => {
    const a = (init as Record<symbol, A | undefined> | undefined)?.[key];
    if (!a) return fetch(url, init);
    a.attempts++;
    a.onStart?.();
    return fetch(url, init).then(
      (res) => onResponse(a, res),
      (e: unknown) => {
        onFailure(a, e, init);
        throw e;
      },
    );
  };
}
