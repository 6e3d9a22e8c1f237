import type { ApiResponse, TestHerald } from './herald.ts';

/**
 * Adds `member` to a bucket the way a non-admin must: `byToken` invites them, then the member
 * accepts with their own token. Returns the bucket's member list after accepting. A server
 * admin's add is direct, so there is nothing to accept and the add's answer is returned.
 */
export async function addMember(
  h: TestHerald,
  bucketId: string,
  byToken: string,
  member: { id: string; token: string },
  permission = 'write',
): Promise<ApiResponse> {
  const add = await h.api('POST', `/api/v1/buckets/${bucketId}/members`, {
    token: byToken,
    body: { userId: member.id, permission },
  });
  if (add.status !== 200) return add;
  const invites = await h.api('GET', '/api/v1/buckets/invites', { token: member.token });
  const invite = (invites.body as Array<{ id: string; bucketId: string }>).find(
    (i) => i.bucketId === bucketId,
  );
  if (!invite) return add;
  const accepted = await h.api('POST', `/api/v1/buckets/invites/${invite.id}/accept`, {
    token: member.token,
  });
  if (accepted.status !== 204)
    throw new Error(`accepting the invite failed: ${accepted.status} ${accepted.text}`);
  return h.api('GET', `/api/v1/buckets/${bucketId}/members`, { token: byToken });
}
