/** Rules for a role's external ID, shared by dataset settings and trust-policy generation. */
// AWS allows 2-1,224 characters; fewer than 10 is guessable, which defeats the confused-deputy protection.
const EXTERNAL_ID = /^[\w+=,.@:/-]{10,1224}$/;

/** Why an external ID is unusable, or undefined when it is fine. */
export function externalIdProblem(externalId: string): string | undefined {
  if (EXTERNAL_ID.test(externalId)) return undefined;
  return externalId.length < 10
    ? `the external ID must be at least 10 characters (got ${externalId.length}); use a random value, e.g. from \`openssl rand -hex 16\``
    : 'the external ID may only contain letters, digits and +=,.@:/-_ (at most 1,224 characters)';
}
