/** Schemas shared by every route module. */
import { LIMITS } from '../../core/limits.js'

/** A string of at most maxLength characters. */
export const Text = (maxLength: number) => ({ type: 'string', maxLength }) as const
/** An id as a request gives it. */
export const Id = Text(LIMITS.id)

/** ApiError (reference 8.1): every error except 401 before 2025-09-18. */
export const ApiErrorBody = {
  $id: 'ApiError',
  type: 'object',
  required: ['status', 'message', 'key', 'metadata'],
  properties: {
    status: { type: 'integer' },
    message: { type: 'string' },
    key: { type: 'string' },
    metadata: { type: 'object', additionalProperties: true }
  }
} as const

/** RestErrResponse (reference 8.1): 401 before 2025-09-18. */
export const RestErrResponseBody = {
  $id: 'RestErrResponse',
  type: 'object',
  required: ['status', 'error', 'code'],
  properties: {
    status: { type: 'string' },
    error: { type: 'string' },
    code: { type: 'integer' }
  }
} as const

/**
 * Success bodies: {"data": x} from 2022-12-12 on, {"result": x, "error": null} in 2021-05-23.
 * One schema covers both; the serializer writes only the properties present.
 */
export function envelopeSchema<S extends object> (schema: S) {
  return {
    type: 'object',
    properties: {
      data: schema,
      result: schema,
      error: { type: 'null' }
    }
  } as const
}

/** A query flag: ?force=true. */
export const BooleanFlag = { type: 'string', enum: ['true', 'false'] } as const

export const IdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } }
} as const

/** Error responses documented for a route: their bodies are built by the error handler. */
export function errorResponses (...statuses: number[]): Record<number, unknown> {
  const responses: Record<number, unknown> = {}
  for (const status of statuses) responses[status] = { $ref: 'ApiError#' }
  return responses
}
