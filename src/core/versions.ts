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

/**
 * The versions that changed shapes or routes, oldest first: each starts a generation that lasts until the
 * next. A route serves every version unless it names the generation it belongs to (src/http/plugins/version.ts);
 * a version before the first of these is served by the routes that name none.
 */
export const GENERATIONS = ['2025-09-18'] as const satisfies readonly ApiVersion[]

export type Generation = (typeof GENERATIONS)[number]

/** The generation a version belongs to; undefined before the first (the routes that name none serve it). */
export function generationOf (version: ApiVersion): Generation | undefined {
  let found: Generation | undefined
  for (const start of GENERATIONS) if (start <= version) found = start
  return found
}
