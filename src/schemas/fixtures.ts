/**
 * The fixture document: a contract users write against. Optional fields may be added; existing
 * ones are never renamed. Every top-level key is optional.
 */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
export const SHA256_PATTERN = '^[0-9a-f]{64}$'
const Uuid = { type: 'string', pattern: UUID_PATTERN } as const
const Key = { type: 'string', minLength: 1, maxLength: 512 } as const
const OptionalText = { type: ['string', 'null'] } as const

export const FixtureDocument = {
  $id: 'FixtureDocument',
  type: 'object',
  additionalProperties: false,
  properties: {
    deployment_keys: { type: 'array', items: Key },
    partners: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'key', 'organization_id'],
        properties: { id: Uuid, name: { type: 'string', minLength: 1 }, key: Key, organization_id: Uuid }
      }
    },
    organizations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        properties: {
          id: Uuid,
          name: { type: 'string' },
          partner_id: { type: ['string', 'null'], pattern: UUID_PATTERN },
          sso_domain: OptionalText,
          sso_org_id: OptionalText,
          issuer: OptionalText,
          client_id: OptionalText,
          client_secret: OptionalText
        }
      }
    },
    roles: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'organization_id', 'name'],
        properties: { id: Uuid, organization_id: Uuid, name: { type: 'string' }, system: { type: 'boolean' } }
      }
    },
    users: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'organization_id', 'email'],
        properties: {
          id: Uuid,
          organization_id: Uuid,
          email: { type: 'string' },
          role: { type: 'string' },
          role_ids: { type: 'array', items: { type: 'string' } }
        }
      }
    },
    api_keys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['organization_id'],
        properties: { key: Key, key_sha256: { type: 'string', pattern: SHA256_PATTERN }, organization_id: Uuid, user_id: Uuid }
      }
    }
  }
} as const

export interface FixturePartner { id: string, name: string, key: string, organization_id: string }
export interface FixtureOrganization {
  id: string
  name: string
  partner_id?: string | null
  sso_domain?: string | null
  sso_org_id?: string | null
  issuer?: string | null
  client_id?: string | null
  client_secret?: string | null
}
export interface FixtureRole { id: string, organization_id: string, name: string, system?: boolean }
export interface FixtureUser { id: string, organization_id: string, email: string, role?: string, role_ids?: string[] }
/** A key minted through the API exists only as a digest: exports give `key_sha256` instead of `key`. */
export interface FixtureApiKey { key?: string, key_sha256?: string, organization_id: string, user_id?: string }

export interface Fixtures {
  deployment_keys?: string[]
  partners?: FixturePartner[]
  organizations?: FixtureOrganization[]
  roles?: FixtureRole[]
  users?: FixtureUser[]
  api_keys?: FixtureApiKey[]
}
