import type { ValidateFunction } from 'ajv'
import type { FastifyError, FastifyInstance } from 'fastify'
import { Errors } from '../../core/errors.js'
import { errorSchema, errorShape, successSchema } from '../envelope.js'
import type { ApiVersion } from '../../core/versions.js'
import { compileSchema, firstIssue } from '../validation.js'

type Schema = Record<string, unknown>

/** The exact body of a success: the declared data, in the version's envelope only. */
function strictSuccess (declared: Schema, version: ApiVersion): Schema {
  const {
    data: inner,
    result: _result,
    error: _error,
    ...siblings
  } = (declared.properties as Record<string, Schema> | undefined) ?? {}
  return inner === undefined ? declared : successSchema(version, inner, siblings)
}

function strictError (status: number, version: ApiVersion): Schema {
  return errorSchema(version, { $ref: `${errorShape(status, version)}#` })
}

/**
 * VALIDATE_RESPONSES (on in the project's own tests): every /api response is checked against the
 * schema its route declares; a mismatch becomes a 500, so the test that caused it fails.
 */
export function registerResponseValidation (api: FastifyInstance): void {
  const cache = new Map<string, ValidateFunction>()
  const compile = (cacheKey: string, schema: Schema): ValidateFunction => {
    let validate = cache.get(cacheKey)
    if (validate === undefined) {
      validate = compileSchema(schema)
      cache.set(cacheKey, validate)
    }
    return validate
  }

  api.addHook('onSend', (request, reply, payload, done) => {
    const mismatch = (message: string): void => {
      done(
        Errors.Internal({
          message: `response schema mismatch: ${message}`,
          metadata: { reason: 'response_schema_mismatch' }
        }) as unknown as FastifyError
      )
    }
    const version = request.apiVersion
    if (version === null || request.faultId !== null || reply.statusCode === 500) return done(null, payload)
    const status = reply.statusCode
    const text = typeof payload === 'string' ? payload : ''
    let schema: Schema | undefined
    let cacheKey: string
    if (status >= 400) {
      schema = strictError(status, version)
      cacheKey = `error:${status === 401 ? 401 : 0}:${version}`
    } else {
      const declared = (request.routeOptions.schema?.response as Record<string, Schema> | undefined)?.[status]
      if (declared === undefined) {
        return mismatch(`${request.method} ${request.routeOptions.url ?? request.url} declares no ${status} response`)
      }
      if (declared.type === 'null') {
        return text === '' ? done(null, payload) : mismatch(`a ${status} declared empty has a body`)
      }
      schema = strictSuccess(declared, version)
      cacheKey = `${request.method} ${request.routeOptions.url ?? ''} ${status} ${version}`
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return mismatch(`the ${status} body is not JSON`)
    }
    const validate = compile(cacheKey, schema)
    if (validate(body)) return done(null, payload)
    request.log.error({ reqId: request.id, errors: validate.errors, status }, 'response does not match its schema')
    const issue = firstIssue(validate.errors ?? [])
    mismatch(issue === undefined ? 'invalid' : `${issue.path === '' ? 'body' : issue.path}: ${issue.problem}`)
  })
}
