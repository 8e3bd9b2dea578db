import Fastify, { type FastifyInstance, type FastifySchema } from 'fastify'
import { PACKAGE_VERSION } from '../../core/package-info.js'
import { SUPPORTED_VERSIONS, generationOf, type ApiVersion } from '../../core/versions.js'
import { generationOfRoute } from './version.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The OpenAPI 3 document of the /api routes one version has (the default version's, unless named), built
     * on the first call for its generation and kept.
     */
    openApiDocument: (version?: ApiVersion) => Promise<Record<string, unknown>>
  }
}

interface RecordedRoute {
  method: string | string[]
  url: string
  schema?: FastifySchema
  /** Read when the document is made: a scope's own onRoute hook sets it after this one has run. */
  constraints?: unknown
}

/**
 * The OpenAPI 3 document of every /api route, generated from the route schemas (no hand-written
 * copy) by @fastify/swagger, with the credential schemes and the X-Polytomic-Version header.
 * Register before the routes. The routes are only noted here: the generator (and the modules it
 * loads) runs on the first GET /__admin/openapi.json, over a bare instance holding the same routes
 * and schemas, so a simulator that is never asked for its document never pays for it.
 */
export function registerOpenApi (
  app: FastifyInstance,
  defaultVersion: ApiVersion,
  sharedSchemas: readonly object[]
): void {
  const routes: RecordedRoute[] = []
  app.addHook('onRoute', (route) => {
    // Fastify adds HEAD for each GET by itself, on the bare instance as well.
    if (route.method === 'HEAD') return
    // An operation answered only with 501 not_simulated is not part of what the simulator describes.
    if (route.config?.notSimulated === true) return
    routes.push(route)
  })
  // One document per generation: the versions of one generation have the same routes and shapes.
  const documents = new Map<string, Promise<Record<string, unknown>>>()
  app.decorate('openApiDocument', (version: ApiVersion = defaultVersion) => {
    const generation = generationOf(version) ?? null
    let document = documents.get(String(generation))
    if (document === undefined) {
      // A generation's own route takes the place of the shared one of the same method and path.
      const key = (route: RecordedRoute): string => `${String(route.method)} ${route.url}`
      const own = new Set(
        generation === null ? [] : routes.filter((r) => generationOfRoute(r.constraints) === generation).map(key)
      )
      const served = routes.filter((route) => {
        const named = generationOfRoute(route.constraints)
        return named === null ? !own.has(key(route)) : named === generation
      })
      document = generate(served, version, sharedSchemas)
      documents.set(String(generation), document)
    }
    return document
  })
}

async function generate (
  routes: readonly RecordedRoute[],
  documentVersion: ApiVersion,
  sharedSchemas: readonly object[]
): Promise<Record<string, unknown>> {
  const { default: swagger } = await import('@fastify/swagger')
  const bare = Fastify({ logger: false })
  // Only the shapes are wanted: nothing is validated or serialized here.
  bare.setValidatorCompiler(() => () => true)
  bare.setSerializerCompiler(() => (data) => JSON.stringify(data))
  for (const schema of sharedSchemas) bare.addSchema(schema)
  await bare.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: `polytomic-mock: Polytomic partner API, version ${documentVersion}`,
        description:
          "The subset of Polytomic's API that polytomic-mock simulates: organizations, users, roles, API keys, " +
            'identity, connection types, connections, Connect and shared connections, webhooks, events, models, ' +
            `model syncs and bulk syncs, in the routes and shapes of API version ${documentVersion}. Each version ` +
            'has its document: GET /__admin/openapi.json?version=<version>.',
        version: PACKAGE_VERSION
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A user, organization, partner or deployment key' },
          basic: {
            type: 'http',
            scheme: 'basic',
            description: '"<org uuid>:<partner or deployment key>", or "<deployment key>:"'
          }
        }
      },
      security: [{ bearer: [] }, { basic: [] }]
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`)
    },
    transform: ({ schema, url, route }) => {
      if (!url.startsWith('/api/')) return { schema: { ...schema, hide: true }, url }
      const versionHeader = {
        type: 'object',
        properties: {
          'x-polytomic-version': {
            type: 'string',
            enum: [...SUPPORTED_VERSIONS],
            default: documentVersion,
            description: `API version; this document describes ${documentVersion} (the routes and shapes of ` +
              'other versions are in their own documents); every response names the version that served it'
          }
        }
      }
      const tag = url.split('/')[2] === 'permissions' ? 'roles' : (url.split('/')[2] ?? 'api')
      return {
        schema: {
          ...schema,
          headers: versionHeader,
          tags: [tag],
          operationId: `${String(route.method).toLowerCase()}${url.replace(/[/:{}_-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`
        },
        url
      }
    }
  })
  for (const route of routes) {
    bare.route({ method: route.method, url: route.url, schema: route.schema, handler: async () => null })
  }
  await bare.ready()
  const document = bare.swagger() as unknown as Record<string, unknown>
  await bare.close()
  return document
}
