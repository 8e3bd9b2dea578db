import { validationError } from '../errors.js'

export const MAX_NAME = 255

/** A required, trimmed, non-empty name (organizations and roles). */
export function requiredName (value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw validationError(field, 'is required')
  const name = value.trim()
  if (name === '') throw validationError(field, 'must not be empty')
  if (name.length > MAX_NAME) throw validationError(field, `must be at most ${MAX_NAME} characters`)
  return name
}
