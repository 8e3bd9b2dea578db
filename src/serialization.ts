import fastJson from 'fast-json-stringify'
import { SHARED_SCHEMAS, oncePerSchema } from './validation.js'

type Serializer = (document: unknown) => string
type FjsSchema = Parameters<typeof fastJson>[0]

/** The shared schemas by $id, for the $refs of response schemas ("User#"). */
const external: Record<string, FjsSchema> = Object.fromEntries(SHARED_SCHEMAS.map((schema) => [String(schema.$id), schema as unknown as FjsSchema]))

/** Fastify's serializer compiler, with its default (fast-json-stringify), but compiled once per schema. */
export const serializerFor = oncePerSchema((schema): Serializer => {
  const id = (schema as { $id?: unknown }).$id
  const others = typeof id === 'string' && id in external ? Object.fromEntries(Object.entries(external).filter(([key]) => key !== id)) : external
  return fastJson(schema as FjsSchema, { schema: others }) as Serializer
})
