/** API versions the simulator serves (../shared/reference/polytomic-api.md section 6). */
export const SUPPORTED_VERSIONS = ['2021-05-23', '2022-12-12', '2023-04-25', '2024-02-08', '2025-09-18'] as const

export type ApiVersion = (typeof SUPPORTED_VERSIONS)[number]

export const CURRENT_VERSION: ApiVersion = '2025-09-18'

const supported = new Set<string>(SUPPORTED_VERSIONS)

export function isSupportedVersion (value: string): value is ApiVersion {
  return supported.has(value)
}

/** 2021-05-23 wraps bodies as {"result", "error"} instead of {"data"}. */
export function usesLegacyEnvelope (version: ApiVersion): boolean {
  return version === '2021-05-23'
}

/** In 2025-09-18 the /api/organizations* family became partner-only. */
export function partnerEndpointsArePartnerOnly (version: ApiVersion): boolean {
  return version >= '2025-09-18'
}

/** 2025-09-18 retyped 401 bodies as ApiError; earlier versions use RestErrResponse. */
export function usesRestErrResponseFor401 (version: ApiVersion): boolean {
  return version < '2025-09-18'
}

/** The /api/organization (current organization) family exists from 2025-09-18. */
export function hasCurrentOrganizationEndpoints (version: ApiVersion): boolean {
  return version >= '2025-09-18'
}

/**
 * 2025-09-18 added sharing under the owning organization:
 * /api/organizations/:org_id/connections/:connection_id/shared.
 */
export function hasPartnerSharedConnectionRoutes (version: ApiVersion): boolean {
  return version >= '2025-09-18'
}
