/**
 * Every size limit of the API, in one place: the route schemas (src/http/schemas) and the store's rules
 * (src/store) both read them here, so a value the schema lets through is never refused by the store
 * for its length, and the other way round. test/limits-table.test.ts checks each at its edge.
 */
export const LIMITS = {
  /** Organization and role names, after trimming. */
  name: 255,
  /** sso_domain, sso_org_id, issuer, client_id and client_secret of an organization. */
  ssoField: 2048,
  /** An email address (RFC 5321's limit on a path). */
  email: 254,
  /** An id given in a body or a query (a UUID is 36; braces and upper case are tolerated). */
  id: 64,
  /** A legacy role name ("admin", "user"). */
  roleName: 64,
  /** A URL given in a body (redirect_url). */
  url: 2048,
  /** A string value in a connection's configuration, where its type sets no smaller limit. */
  configurationValue: 65536,
  /** role_ids of one user. */
  roleIds: 1000,
  /**
   * How deeply a JSON body may nest (objects and arrays). Polytomic's Go decoder allows 10,000;
   * nothing in the API nests past 5, and a deeper body would overflow JSON.stringify wherever it is
   * kept (the journal, a fault rule), so it is refused with a 400 before anything reads it.
   */
  jsonDepth: 64
} as const
