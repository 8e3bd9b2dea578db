import { validationError } from '../errors.js'
import { LIMITS } from '../limits.js'

/** A required, trimmed, non-empty name (organizations and roles). */
export function requiredName (value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw validationError(field, 'is required')
  const name = value.trim()
  if (name === '') throw validationError(field, 'must not be empty')
  if (name.length > LIMITS.name) throw validationError(field, `must be at most ${LIMITS.name} characters`)
  return name
}
