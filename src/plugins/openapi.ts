import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import { PACKAGE_VERSION } from '../package-info.js'
import { SUPPORTED_VERSIONS } from '../versions.js'

/**
 * The OpenAPI 3 document of every /api route, generated from the route schemas (no hand-written
 * copy), with the credential schemes and the X-Polytomic-Version header. Register before the routes.
 */
export async function registerOpenApi (app: FastifyInstance, defaultVersion: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'polytomic-mock: Polytomic partner API',
        description: 'The subset of Polytomic\'s API that polytomic-mock simulates: organizations, users, roles, API keys, identity, connection types, connections, Connect and shared connections, webhooks and events.',
        version: PACKAGE_VERSION
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A user, organization, partner or deployment key' },
          basic: { type: 'http', scheme: 'basic', description: '"<org uuid>:<partner or deployment key>", or "<deployment key>:"' }
        }
      },
      security: [{ bearer: [] }, { basic: [] }]
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` },
    transform: ({ schema, url, route }) => {
      if (!url.startsWith('/api/')) return { schema: { ...schema, hide: true }, url }
      const versionHeader = {
        type: 'object',
        properties: {
          'x-polytomic-version': { type: 'string', enum: [...SUPPORTED_VERSIONS], default: defaultVersion, description: 'API version; every response names the version that served it' }
        }
      }
      const tag = url.split('/')[2] === 'permissions' ? 'roles' : url.split('/')[2] ?? 'api'
      return {
        schema: { ...schema, headers: versionHeader, tags: [tag], operationId: `${String(route.method).toLowerCase()}${url.replace(/[/:{}_-]+(\w)/g, (_m, c: string) => c.toUpperCase())}` },
        url
      }
    }
  })
}
