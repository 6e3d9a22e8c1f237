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
  const out = new Set<string>();
  const buckets = new Set<string>(bucketIds ?? []);
  for (const scope of scopes) {
    if (scope.startsWith(BUCKET_CREATION_PREFIX) && scope.length > BUCKET_CREATION_PREFIX.length) {
      out.add('messages:create');
      out.add('buckets:read');
      buckets.add(scope.slice(BUCKET_CREATION_PREFIX.length));
    } else {
      out.add(scope);
    }
  }
  return { scopes: [...out], bucketIds: buckets.size > 0 ? [...buckets] : undefined };
}
