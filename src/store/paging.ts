import { validationError } from '../core/errors.js'

/** An opaque page token as this server gives it: an offset, encoded. One it did not give is a 422. */
export function decodePageToken (token: string | undefined): number {
  if (token === undefined || token === '') return 0
  const text = Buffer.from(token, 'base64url').toString('utf8')
  const offset = Number(text.slice(2))
  if (!text.startsWith('o:') || !/^\d{1,9}$/.test(text.slice(2)) || !Number.isSafeInteger(offset)) {
    throw validationError('page_token', 'is not a page token this server gave')
  }
  return offset
}

export function encodePageToken (offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url')
}

/**
 * A page size from a query: the default when absent, at most max (a larger one is capped, as the reference
 * says of limit).
 */
export function pageSize (value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback
  const limit = Number(value)
  if (limit < 1) throw validationError('limit', 'must be at least 1')
  return Math.min(limit, max)
}

/** One page of a list and, when more follow, the token of the next. */
export function page<T> (items: T[], offset: number, limit: number): { items: T[]; next_page_token?: string } {
  const result: { items: T[]; next_page_token?: string } = { items: items.slice(offset, offset + limit) }
  if (offset + limit < items.length) result.next_page_token = encodePageToken(offset + limit)
  return result
}
