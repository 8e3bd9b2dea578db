/**
 * A request value cut down to the fields its schema names, recursively: nested request objects are
 * open (an unknown field is not an error, as with Go's decoder), and what is stored and returned is
 * only what the schema describes. Free-form objects (no properties) are kept whole.
 */
export function pickKnown (value: unknown, schema: object): unknown {
  const s = schema as {
    properties?: Record<string, object>
    items?: object
    anyOf?: object[]
    additionalProperties?: unknown
  }
  if (Array.isArray(value)) {
    return s.items === undefined ? value : value.map((item) => pickKnown(item, s.items as object))
  }
  if (typeof value !== 'object' || value === null) return value
  if (s.anyOf !== undefined) {
    const object = s.anyOf.find((option) => (option as { type?: unknown }).type === 'object')
    return object === undefined ? value : pickKnown(value, object)
  }
  if (s.properties === undefined) return value
  const result: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(value)) {
    const fieldSchema = s.properties[name]
    if (fieldSchema !== undefined && field !== undefined) result[name] = pickKnown(field, fieldSchema)
  }
  return result
}
