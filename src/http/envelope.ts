import { usesLegacyEnvelope, usesRestErrResponseFor401, type ApiVersion } from '../core/versions.js'

type Schema = Record<string, unknown>

/*
 * The envelope each version puts around a body (reference 6): {"data": x} from 2022-12-12 on;
 * {"result": x, "error": null} for a success and {"result": null, "error": e} for an error in
 * 2021-05-23. The one place that rule lives, for bodies and for the schemas that check them.
 */

/** A success body in the envelope of the version (none outside /api). */
export function successBody<T> (version: ApiVersion | null, data: T): { data: T } | { result: T; error: null } {
  return version !== null && usesLegacyEnvelope(version) ? { result: data, error: null } : { data }
}

/**
 * The schema an error body follows (its $id): RestErrResponse for a 401 before 2025-09-18, else ApiError
 * (reference 8.1).
 */
export function errorShape (status: number, version: ApiVersion | null): 'RestErrResponse' | 'ApiError' {
  return status === 401 && version !== null && usesRestErrResponseFor401(version) ? 'RestErrResponse' : 'ApiError'
}

/** An error body in the envelope of the version: bare, except in 2021-05-23. */
export function errorEnvelope (version: ApiVersion | null, error: Record<string, unknown>): Record<string, unknown> {
  return version !== null && usesLegacyEnvelope(version) ? { result: null, error } : error
}

/**
 * The exact schema of a success body in this version: {"data"} alone, or {"result","error":null}
 * alone, with the siblings a route declares beside them (a list's pagination, a model's job).
 */
export function successSchema (version: ApiVersion, inner: unknown, siblings: Schema = {}): Schema {
  return usesLegacyEnvelope(version)
    ? {
        type: 'object',
        required: ['result', 'error'],
        additionalProperties: false,
        properties: { ...siblings, result: inner, error: { type: 'null' } }
      }
    : { type: 'object', required: ['data'], additionalProperties: false, properties: { ...siblings, data: inner } }
}

/** The exact schema of an error body in this version. */
export function errorSchema (version: ApiVersion, inner: Schema): Schema {
  return usesLegacyEnvelope(version)
    ? {
        type: 'object',
        required: ['result', 'error'],
        additionalProperties: false,
        properties: { result: { type: 'null' }, error: inner }
      }
    : inner
}
