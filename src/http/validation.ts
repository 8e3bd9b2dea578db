import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { Ajv, type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { ApiErrorBody, RestErrResponseBody } from './schemas/common.js'
import { Identity, Organization } from './schemas/organizations.js'
import { Policy, Role } from './schemas/roles.js'
import { User } from './schemas/users.js'
import {
  Connection,
  ConnectionType,
  FIELD_NAME_PATTERN,
  SavedConnection,
  TYPE_ID_PATTERN
} from './schemas/connections.js'
import { SHA256_PATTERN, UUID_PATTERN } from './schemas/fixtures.js'
import { Event, Webhook } from './schemas/events.js'
import { SYNC_SHARED_SCHEMAS } from './schemas/syncs.js'
import { unknownFieldProblem } from '../core/suggest.js'
import { PRECOMPILED_FILE } from '../core/paths.js'

type Schema = Record<string, unknown>

/** The schemas other schemas name by $ref ("User#"): the bodies the API answers with. */
export const SHARED_SCHEMAS: readonly Schema[] = [
  User,
  Organization,
  Identity,
  Role,
  Policy,
  ConnectionType,
  Connection,
  SavedConnection,
  Webhook,
  Event,
  ...SYNC_SHARED_SCHEMAS,
  ApiErrorBody,
  RestErrResponseBody
]

/**
 * The one Ajv instance: requests (Fastify's validator compiler), responses under
 * VALIDATE_RESPONSES, fixture documents and fault rules. allErrors, so that a misspelt fixture
 * field is reported as such rather than as the required field it was meant to be; verbose, so
 * that an error carries the schema it broke (for the known names of an unknown field).
 */
export function createAjv (code: CodeOptions = {}): Ajv {
  const instance = new Ajv({
    allErrors: true,
    verbose: true,
    strict: false,
    coerceTypes: false,
    validateSchema: false,
    code: { optimize: false, ...code }
  })
  addFormats.default(instance, ['date-time'])
  for (const schema of SHARED_SCHEMAS) instance.addSchema(schema)
  return instance
}
const ajv = createAjv()

/**
 * A compiler that compiles each schema once per process, by the schema's text: every app built in
 * one process (a test file builds hundreds) shares what it compiled. Validators and serializers alike.
 */
export function oncePerSchema<F> (compile: (schema: object, text: string) => F): (schema: object) => F {
  const compiled = new Map<string, F>()
  return (schema) => {
    const text = JSON.stringify(schema)
    let result = compiled.get(text)
    if (result === undefined) {
      result = compile(schema, text)
      compiled.set(text, result)
    }
    return result
  }
}

/** The digest a schema's precompiled validator is filed under: SHA-256 of its JSON text. */
export function schemaDigest (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Validators compiled at build time (src/http/precompile.ts writes dist/precompiled/validators.cjs) for
 * the schemas every start-up needs, by schemaDigest. Missing (running from the sources), it is
 * empty and those schemas are compiled like any other; a schema that changed since the build has
 * another digest, so a stale validator is never used.
 */
let precompiled: Record<string, ValidateFunction> | null = null
function precompiledFor (text: string): ValidateFunction | undefined {
  if (precompiled === null) {
    try {
      precompiled = createRequire(import.meta.url)(PRECOMPILED_FILE) as Record<string, ValidateFunction>
    } catch {
      precompiled = {}
    }
  }
  return precompiled[schemaDigest(text)]
}

/**
 * A function that compiles on its first call, not before: a process starts without compiling the
 * schemas of routes no request has reached yet (most of them, in a test). Compiling is the dearest
 * part of start-up; validateSchemaNow is for the one place that must know at once.
 */
export function compiledOnFirstUse<A extends unknown[], R> (compile: () => (...args: A) => R): (...args: A) => R {
  let compiled: ((...args: A) => R) | undefined
  return (...args) => (compiled ??= compile())(...args)
}

const compileOnce = oncePerSchema((schema, text) => precompiledFor(text) ?? ajv.compile(schema))

/** A validator for a schema, compiled on its first call (once per process); its errors are the last call's. */
export function compileSchema<T = unknown> (schema: object): ValidateFunction<T> {
  let compiled: ValidateFunction | undefined
  const validate = ((data: unknown): boolean => {
    compiled ??= compileOnce(schema)
    const valid = compiled(data)
    validate.errors = compiled.errors
    return valid
  }) as ValidateFunction<T>
  validate.errors = null
  return validate
}

/** Compiles a schema now, so that a schema Ajv refuses throws here (a connection type's, when it is defined). */
export function validateSchemaNow (schema: object): void {
  compileOnce(schema)
}

/**
 * A request part's validator. A closed object schema (additionalProperties: false) drops the
 * properties it does not name before it checks the rest, as Go's JSON decoder ignores unknown
 * fields: an extra field is never an error, and never reaches a handler.
 */
export function requestValidator<T = unknown> (schema: object): ValidateFunction<T> {
  const validate = compileSchema<T>(schema)
  const closed = schema as { additionalProperties?: unknown; properties?: Record<string, unknown> }
  if (closed.additionalProperties !== false || closed.properties === undefined) return validate
  const known = new Set(Object.keys(closed.properties))
  const stripped = ((data: unknown): boolean => {
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      for (const key of Object.keys(data)) if (!known.has(key)) delete (data as Record<string, unknown>)[key]
    }
    const valid = validate(data)
    stripped.errors = validate.errors
    return valid
  }) as ValidateFunction<T>
  return stripped
}

/** "/role_ids/0" -> "role_ids[0]" */
export function fieldPath (pointer: string): string {
  let path = ''
  for (const part of pointer.split('/').slice(1)) {
    path = /^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`
  }
  return path
}

function join (path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`
}

/** Pattern errors in words: the regular expression itself helps nobody. */
const PATTERN_PROBLEMS: Record<string, string> = {
  [UUID_PATTERN]: 'must be a UUID (like 248df4b7-aa70-47b8-a036-33ac447e668d)',
  [SHA256_PATTERN]: 'must be a SHA-256 digest: 64 lowercase hexadecimal digits',
  [TYPE_ID_PATTERN]: 'must be lowercase letters, digits and "_", starting with a letter, at most 64',
  [FIELD_NAME_PATTERN]: 'is not a usable field name: letters, digits and "_", at most 64, not starting with "__"'
}

/**
 * One Ajv error as the field it names ("users[2].email", "" for the whole value) and the problem
 * in words: the store's wording where it says the same thing (src/core/limits.ts), else Ajv's.
 */
export function describeIssue (error: ErrorObject): { path: string; problem: string } {
  // An error about a property's name (propertyNames) is about that property.
  const path =
    error.propertyName === undefined
      ? fieldPath(error.instancePath)
      : join(fieldPath(error.instancePath), error.propertyName)
  switch (error.keyword) {
    case 'required':
      return { path: join(path, String(error.params.missingProperty)), problem: 'is required' }
    case 'additionalProperties': {
      const field = String(error.params.additionalProperty)
      const known = Object.keys(
        (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}
      )
      return { path: join(path, field), problem: unknownFieldProblem(field, known) }
    }
    case 'pattern':
      return { path, problem: PATTERN_PROBLEMS[String(error.params.pattern)] ?? error.message ?? 'is invalid' }
    case 'maxLength':
      return { path, problem: `must be at most ${String(error.params.limit)} characters` }
    case 'maxItems':
      return { path, problem: `must have at most ${String(error.params.limit)} items` }
    case 'enum': {
      // A short list is worth naming; a long one (regions, say) is not.
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? []
      return {
        path,
        problem:
          allowed.length > 0 && allowed.length <= 12
            ? `must be one of ${allowed.map(String).join(', ')}`
            : (error.message ?? 'is invalid')
      }
    }
    default:
      return { path, problem: error.message ?? 'is invalid' }
  }
}

/**
 * The issue to report out of all Ajv found: an unknown field first (a misspelling explains the
 * required field it leaves missing); required fields that an anyOf offers as alternatives as one
 * problem ("must have status or delay_ms"); otherwise the first.
 */
export function firstIssue (errors: readonly ErrorObject[]): { path: string; problem: string } | undefined {
  const unknown = errors.find((e) => e.keyword === 'additionalProperties')
  if (unknown !== undefined) return describeIssue(unknown)
  const first = errors[0]
  if (first === undefined) return undefined
  const anyOf = errors.find((e) => e.keyword === 'anyOf' && e.instancePath === first.instancePath)
  if (anyOf !== undefined && first.keyword === 'required') {
    const alternatives = errors.filter(
      (e) =>
        e.keyword === 'required' &&
        e.instancePath === first.instancePath &&
        e.schemaPath.startsWith(`${anyOf.schemaPath}/`)
    )
    if (alternatives.length > 1) {
      return {
        path: fieldPath(first.instancePath),
        problem: `must have ${alternatives.map((e) => String(e.params.missingProperty)).join(' or ')}`
      }
    }
  }
  return describeIssue(first)
}
