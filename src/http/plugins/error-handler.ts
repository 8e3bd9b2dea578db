import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorObject } from 'ajv'
import { ApiError, Errors, errorForStatus, validationError, type ErrorDefinition } from '../../core/errors.js'
import { firstIssue } from '../validation.js'
import { errorEnvelope, errorShape } from '../envelope.js'
import type { ApiVersion } from '../../core/versions.js'

/** Errors that Fastify and its auth plugins raise, by their code, and what each becomes. */
const BY_CODE: Readonly<Record<string, ErrorDefinition>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: Errors.MalformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: Errors.MalformedJson,
  FST_ERR_CTP_BODY_TOO_LARGE: Errors.PayloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: Errors.UnsupportedMediaType,
  FST_BEARER_AUTH_MISSING_AUTHORIZATION_HEADER: Errors.MissingCredentials,
  FST_BEARER_AUTH_INVALID_AUTHORIZATION_HEADER: Errors.InvalidCredentials,
  FST_BASIC_AUTH_MISSING_OR_BAD_AUTHORIZATION_HEADER: Errors.MalformedCredentials
}

/** Turns anything thrown on the way to a response into an ApiError. */
export function toApiError (err: unknown): ApiError {
  if (err instanceof ApiError) return err
  const fastifyError = err as FastifyError & { validation?: ErrorObject[]; validationContext?: string }
  const issue = Array.isArray(fastifyError.validation) ? firstIssue(fastifyError.validation) : undefined
  if (issue !== undefined) {
    const context = fastifyError.validationContext
    return validationError(
      issue.path !== '' ? issue.path : context === 'querystring' ? 'query' : (context ?? 'body'),
      issue.problem
    )
  }
  const known = fastifyError.code === undefined ? undefined : BY_CODE[fastifyError.code]
  if (known !== undefined) return known()
  if (err instanceof SyntaxError && fastifyError.statusCode === 400) return Errors.MalformedJson()
  const status = fastifyError.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Our own wording where the catalogue has the status (Fastify's may echo the whole URL back).
    const def = errorForStatus(status)
    if (def !== undefined && status !== 400) return def()
    const message =
      typeof fastifyError.message === 'string' && fastifyError.message !== ''
        ? fastifyError.message
        : Errors.BadRequest.message
    return new ApiError(
      status,
      def?.key ?? Errors.BadRequest.key,
      message.length > 200 ? `${message.slice(0, 200)}…` : message
    )
  }
  return Errors.Internal()
}

/**
 * The one place error bodies are built (reference 8.1): ApiError, except RestErrResponse for a
 * 401 before 2025-09-18; 2021-05-23 wraps either as {"result": null, "error": ...}.
 */
export function errorBody (error: ApiError, version: ApiVersion | null): Record<string, unknown> {
  const body: Record<string, unknown> =
    errorShape(error.status, version) === 'RestErrResponse'
      ? { status: 'Unauthorized', error: error.message, code: 401 }
      : { status: error.status, message: error.message, key: error.key, metadata: error.metadata }
  return errorEnvelope(version, body)
}

export function sendError (request: FastifyRequest, reply: FastifyReply, err: unknown): void {
  const error = toApiError(err)
  if (!(err instanceof ApiError) && error.status >= 500) {
    request.log.error({ reqId: request.id, err }, 'unexpected error')
  }
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value)
  reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(errorBody(error, request.apiVersion))
}

/**
 * Errors Node's HTTP parser raises before there is a request (headers too large, a request too
 * slow, bytes that are not HTTP): answered on the raw socket, still in the error shape.
 */
export function writeClientError (err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? Errors.HeadersTooLarge()
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? Errors.RequestTimeout()
        : Errors.BadRequest({ message: 'the request is not valid HTTP' })
  const body = JSON.stringify(errorBody(error, null))
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
    )
  }
  socket.destroy()
}

export function registerErrorHandler (app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    sendError(request, reply, err)
  })
}
