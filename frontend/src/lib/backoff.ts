/** Backoff with full jitter, so clients retrying together do not arrive as a herd. */
export function backoffMs(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const cap = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(minMs + random() * (cap - minMs));
}
