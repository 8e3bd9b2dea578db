import fastJson from 'fast-json-stringify'
import { SHARED_SCHEMAS } from './validation.js'

type Serializer = (document: unknown) => string

/** The shared schemas by $id, for the $refs of response schemas ("User#"). */
const external: Record<string, object> = Object.fromEntries(SHARED_SCHEMAS.map((schema) => [String(schema.$id), schema]))

// Compiled once per process, by the schema's text, as the validators are (src/validation.ts).
const compiled = new Map<string, Serializer>()

/** Fastify's serializer compiler, with its default (fast-json-stringify), but compiled once per schema. */
export function serializerFor (schema: object): Serializer {
  const text = JSON.stringify(schema)
  let serialize = compiled.get(text)
  if (serialize === undefined) {
    const id = (schema as { $id?: unknown }).$id
    const others = typeof id === 'string' && id in external ? Object.fromEntries(Object.entries(external).filter(([key]) => key !== id)) : external
    serialize = fastJson(schema as Parameters<typeof fastJson>[0], { schema: others as Record<string, Parameters<typeof fastJson>[0]> }) as Serializer
    compiled.set(text, serialize)
  }
  return serialize
}
