import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody, onlyInGeneration } from '../plugins/version.js'
import { errorResponses } from '../schemas/common.js'
import { OrganizationEnvelope } from '../schemas/organizations.js'
import { publicOrganization } from '../../store/identity/organizations.js'
import { currentOrganizationUserRoutes } from './users.js'

/**
 * /api/organization and /api/organization/users*: 2025-09-18 only, a 404 route in earlier versions (reference
 * 1.8, 2.8).
 */
export default async function currentOrganizationRoutes (api: FastifyInstance): Promise<void> {
  onlyInGeneration(api, '2025-09-18')

  api.get(
    '/organization',
    {
      config: { cacheable: true },
      schema: { response: { 200: OrganizationEnvelope, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, publicOrganization(api.store.access.currentOrganization(callerOf(request)))))
    }
  )

  currentOrganizationUserRoutes(api)
}
