import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody } from '../plugins/version.js'
import { errorResponses } from '../schemas/common.js'
import { IdentityEnvelope } from '../schemas/organizations.js'

/** GET /api/me: every credential kind, every version (reference 3). */
export default async function identityRoutes (api: FastifyInstance): Promise<void> {
  api.get(
    '/me',
    {
      config: { cacheable: true },
      schema: { response: { 200: IdentityEnvelope, ...errorResponses(400, 401) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, api.store.identityOf(callerOf(request))))
    }
  )
}
