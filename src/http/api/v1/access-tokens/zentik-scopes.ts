/**
 * Zentik's token scopes in Herald's vocabulary, translated at the edge so the core keeps one:
 *
 * - no scopes (absent or `[]`) is the owner's full access: Herald's `*`;
 * - `message-bucket-creation:<bucket>` is a token that creates messages in that bucket only:
 *   `messages:create` restricted to the bucket, plus `buckets:read` to see it;
 * - every other scope is Herald's own and checked as before.
 */
export const BUCKET_CREATION_PREFIX = 'message-bucket-creation:';

export function fromZentikScopes(
  scopes: readonly string[] | undefined,
  bucketIds: readonly string[] | undefined,
): { scopes: string[]; bucketIds: string[] | undefined } {
  if (!scopes || scopes.length === 0)
    return { scopes: ['*'], bucketIds: bucketIds ? [...bucketIds] : undefined };
  // Each Zentik scope takes its own position, so a refusal of scopes[i] names what was sent.
  const buckets = new Set<string>(bucketIds ?? []);
  let translated = false;
  const out = scopes.map((scope) => {
    if (!scope.startsWith(BUCKET_CREATION_PREFIX) || scope.length === BUCKET_CREATION_PREFIX.length)
      return scope;
    buckets.add(scope.slice(BUCKET_CREATION_PREFIX.length));
    translated = true;
    return 'messages:create';
  });
  if (translated && !out.includes('buckets:read')) out.push('buckets:read');
  return { scopes: out, bucketIds: buckets.size > 0 ? [...buckets] : undefined };
}
