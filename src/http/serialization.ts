import fastJson from 'fast-json-stringify'
import { SHARED_SCHEMAS, compiledOnFirstUse, oncePerSchema } from './validation.js'

type Serializer = (document: unknown) => string
type FjsSchema = Parameters<typeof fastJson>[0]

/** The shared schemas by $id, for the $refs of response schemas ("User#"). */
const external: Record<string, FjsSchema> = Object.fromEntries(
  SHARED_SCHEMAS.map((schema) => [String(schema.$id), schema as unknown as FjsSchema])
)

/** fast-json-stringify for one schema, compiled once per process. */
const compileOnce = oncePerSchema((schema): Serializer => {
  const id = (schema as { $id?: unknown }).$id
  const others =
    typeof id === 'string' && id in external
      ? Object.fromEntries(Object.entries(external).filter(([key]) => key !== id))
      : external
  return fastJson(schema as FjsSchema, { schema: others })
})

/**
 * Fastify's serializer compiler, with its default (fast-json-stringify), compiled on the first response it
 * serializes.
 */
export function serializerFor (schema: object): Serializer {
  return compiledOnFirstUse(() => compileOnce(schema))
}
