import { validationError } from '../core/errors.js'
import { LIMITS } from '../core/limits.js'

/** A required, trimmed, non-empty name (organizations and roles). */
export function requiredName (value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw validationError(field, 'is required')
  const name = value.trim()
  if (name === '') throw validationError(field, 'must not be empty')
  if (name.length > LIMITS.name) throw validationError(field, `must be at most ${LIMITS.name} characters`)
  return name
}

/**
 * An absolute http or https URL (a Connect redirect, a webhook endpoint): the parsed URL, or a 422 naming the
 * field.
 */
export function absoluteUrl (value: string, field: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw validationError(field, 'must be an absolute http or https URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw validationError(field, 'must be an absolute http or https URL')
  }
  return url
}

/**
 * A date-time from a fixture, in epoch milliseconds; one that cannot be read (a leap second, say) is a 422
 * naming the field.
 */
export function fixtureTime (value: string, field: string): number {
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw validationError(field, 'must be a date-time')
  return ms
}
