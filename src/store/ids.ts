import { createHash, randomUUID } from 'node:crypto'

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid (value: string): boolean {
  return UUID_RE.test(value)
}

/** Path ids are matched case-insensitively, as Go's uuid.Parse does; stored ids are lowercase. */
export function canonicalId (value: string): string {
  return value.toLowerCase()
}

export function newId (): string {
  return randomUUID()
}

/** API key values are UUID v4 strings, like the examples in Polytomic's docs. */
export function newKeyValue (): string {
  return randomUUID()
}

export function hashKey (key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** RFC 4122 name-based UUID (version 5, SHA-1) of `name` within `namespace`. */
export function uuidV5 (namespace: string, name: string): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16)
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The system roles' ids, derived from the organization id so fixture authors can predict them. */
export function systemRoleId (organizationId: string, kind: 'admin' | 'member'): string {
  return uuidV5(organizationId, kind === 'admin' ? 'Admin' : 'Member')
}
