import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errorResponses } from '../schemas/common.js'

/** Where this simulator is reached, as the request says: signed URLs it gives point back at it. */
export function originOf (request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`
}

/**
 * /files/logs/:execution_id/*: a run's log file by its signed URL, as a pre-signed URL is read: no credential,
 * the signature and the expiry in the query (src/store/syncs/run-logs.ts). JSON lines.
 */
export default async function fileRoutes (app: FastifyInstance): Promise<void> {
  const { store } = app
  app.get<{ Params: { execution_id: string; '*': string }; Querystring: { expires?: string; signature?: string } }>(
    '/logs/:execution_id/*',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { expires: { type: 'string', maxLength: 32 }, signature: { type: 'string', maxLength: 128 } }
        },
        response: errorResponses(400, 403, 404)
      }
    },
    (request, reply) => {
      const { execution_id: executionId, '*': name } = request.params
      const text = store.runLogs.read(executionId, name, request.query.expires, request.query.signature)
      reply.type('application/x-ndjson').header('cache-control', 'private, no-store').send(text)
    }
  )
}
