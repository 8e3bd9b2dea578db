import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody, onlyInGeneration, versionOf } from '../plugins/version.js'
import { errorResponses } from '../schemas/common.js'
import { EntityEnvelope, EntityParams } from '../schemas/organizations.js'

/**
 * The entity resolver of 2025-09-18 (2025-09-18 surface 3.8): GET /api/entities/:id for an id of the caller's
 * organization (without organization_id), GET /api/organizations/entities/:id for any a partner reaches.
 * A 404 route before 2025-09-18.
 */
export default async function entityRoutes (api: FastifyInstance): Promise<void> {
  onlyInGeneration(api, '2025-09-18')
  const { store } = api

  api.get<{ Params: { id: string } }>(
    '/entities/:id',
    {
      config: { cacheable: true },
      schema: { params: EntityParams, response: { 200: EntityEnvelope, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      const { organization_id: _organizationId, ...entity } = store.access.ownEntity(
        callerOf(request),
        request.params.id
      )
      reply.send(envelopeBody(request, entity))
    }
  )

  api.get<{ Params: { id: string } }>(
    '/organizations/entities/:id',
    {
      config: { cacheable: true },
      schema: { params: EntityParams, response: { 200: EntityEnvelope, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(request, store.access.partnerEntity(callerOf(request), request.params.id, versionOf(request)))
      )
    }
  )
}
