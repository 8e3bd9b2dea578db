import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES_DIR } from '../../core/paths.js'
import type { Statement } from 'better-sqlite3'
import type { ValidateFunction } from 'ajv'
import { Errors, validationError } from '../../core/errors.js'
import { LIMITS } from '../../core/limits.js'
import { ConnectionTypeCatalogFile, type ConnectionTypeDefinitionInput } from '../../http/schemas/connections.js'
import { SECRET_FIELDS, addSecretFields } from '../../core/secrets.js'
import { didYouMean } from '../../core/suggest.js'
import { compileSchema, firstIssue, validateSchemaNow } from '../../http/validation.js'
import type { Db } from '../db.js'

export const BUNDLED_CONNECTION_TYPES = join(FIXTURES_DIR, 'connection-types.json')

/** What every response shows in place of a secret configuration value (the SDK's own example). */
export const MASK = '********'

type Field = ConnectionTypeDefinitionInput['configuration']['properties'][string]
type Configuration = Record<string, unknown>

/** Names that hold a secret wherever they appear: masked in a configuration even if a type forgets writeOnly. */
const ALWAYS_SECRET = new Set<string>(SECRET_FIELDS.filter((field) => !field.includes('.')))

/** A connection type, ready to use: its definition, its configuration validator and its secret fields. */
export interface ConnectionTypeEntry {
  readonly definition: ConnectionTypeDefinitionInput
  readonly secrets: ReadonlySet<string>
  readonly validate: ValidateFunction
}

/** The JSON Schema a configuration of this type must meet: closed, strings bounded, required strings not empty. */
function configurationSchema (definition: ConnectionTypeDefinitionInput): object {
  const required = definition.configuration.required ?? []
  const properties: Record<string, Field> = {}
  for (const [name, field] of Object.entries(definition.configuration.properties)) {
    const checked: Field = { ...field }
    if (checked.type === 'string') {
      checked.maxLength ??= LIMITS.configurationValue
      if (required.includes(name)) checked.minLength ??= 1
    }
    properties[name] = checked
  }
  return { type: 'object', additionalProperties: false, required, properties }
}

/** Problems the catalog's schema cannot express: a required field that is not a property, a schema Ajv refuses. */
export function definitionProblem (
  definition: ConnectionTypeDefinitionInput
): { path: string; problem: string } | null {
  const properties = Object.keys(definition.configuration.properties)
  const required = definition.configuration.required ?? []
  for (const [index, name] of required.entries()) {
    if (!properties.includes(name)) {
      return {
        path: `configuration.required[${index}]`,
        problem: `"${name}" is not one of the configuration's properties${didYouMean(name, properties)}`
      }
    }
  }
  try {
    validateSchemaNow(configurationSchema(definition))
  } catch (err) {
    return { path: 'configuration', problem: `not a usable JSON Schema (${(err as Error).message})` }
  }
  return null
}

function toEntry (definition: ConnectionTypeDefinitionInput): ConnectionTypeEntry {
  const secrets = new Set<string>()
  for (const [name, field] of Object.entries(definition.configuration.properties)) {
    if (field.writeOnly === true || ALWAYS_SECRET.has(name)) secrets.add(name)
  }
  // A configuration travels as `configuration` (connections, Connect) and as `parameters` (parameter values).
  addSecretFields([...secrets].flatMap((name) => [`configuration.${name}`, `parameters.${name}`]))
  return { definition, secrets, validate: compileSchema(configurationSchema(definition)) }
}

/** The configuration schemas of the bundled types, as they are compiled (for src/http/precompile.ts). */
export function bundledConfigurationSchemas (): object[] {
  return bundledDefinitions().map(configurationSchema)
}

let bundled: ConnectionTypeDefinitionInput[] | null = null
let bundledEntries: ReadonlyMap<string, ConnectionTypeEntry> | null = null

/** fixtures/connection-types.json, read and checked once per process; a broken file is a start-up error. */
function bundledDefinitions (): ConnectionTypeDefinitionInput[] {
  if (bundled !== null) return bundled
  const document: unknown = JSON.parse(readFileSync(BUNDLED_CONNECTION_TYPES, 'utf8'))
  const validate = compileSchema<{ connection_types: ConnectionTypeDefinitionInput[] }>(ConnectionTypeCatalogFile)
  if (!validate(document)) {
    const issue = firstIssue(validate.errors ?? [])
    throw new Error(`${BUNDLED_CONNECTION_TYPES}: ${issue?.path ?? ''}: ${issue?.problem ?? 'invalid'}`)
  }
  for (const [index, definition] of document.connection_types.entries()) {
    const problem = definitionProblem(definition)
    if (problem !== null) {
      throw new Error(`${BUNDLED_CONNECTION_TYPES}: connection_types[${index}].${problem.path}: ${problem.problem}`)
    }
  }
  bundled = document.connection_types
  return bundled
}

/**
 * The connection types of the world: the bundled catalog, with the types a fixture document adds
 * or replaces (stored in connection_types, so they are exported, snapshotted and reset with the
 * rest). Built on first use, and again after a write to connection_types (Store.tableWritten).
 */
export class ConnectionTypeCatalog {
  private readonly stored: Statement<[], { definition: string }>
  private readonly upsert: Statement<[string, string]>
  private entries: Map<string, ConnectionTypeEntry> | null = null
  private listed: Array<Record<string, unknown>> | null = null

  constructor (db: Db) {
    this.stored = db.prepare('SELECT definition FROM connection_types ORDER BY seq')
    this.upsert = db.prepare(
      `INSERT INTO connection_types (id, definition) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET definition =
        excluded.definition`
    )
  }

  invalidate (): void {
    this.entries = null
    this.listed = null
  }

  private all (): Map<string, ConnectionTypeEntry> {
    if (this.entries !== null) return this.entries
    bundledEntries ??= new Map(bundledDefinitions().map((definition) => [definition.id, toEntry(definition)]))
    const entries = new Map(bundledEntries)
    for (const row of this.stored.all()) {
      const definition = JSON.parse(row.definition) as ConnectionTypeDefinitionInput
      entries.set(definition.id, toEntry(definition))
    }
    this.entries = entries
    return entries
  }

  list (): ConnectionTypeEntry[] {
    return [...this.all().values()]
  }

  /** GET /api/connection_types: every type in its public shape, built once per catalog. */
  publicList (): Array<Record<string, unknown>> {
    this.listed ??= this.list().map(publicConnectionType)
    return this.listed
  }

  find (id: string): ConnectionTypeEntry | undefined {
    return this.all().get(id)
  }

  /** The type a request names, or a 422 on `field` with the closest known id. */
  require (id: string, field = 'type'): ConnectionTypeEntry {
    const entry = this.find(id)
    if (entry === undefined) {
      throw validationError(field, `unknown connection type "${id}"${didYouMean(id, this.all().keys())}`)
    }
    return entry
  }

  /** GET /api/connection_types/:id: unknown is a 404. */
  get (id: string): ConnectionTypeEntry {
    const entry = this.find(id)
    if (entry === undefined) throw Errors.ConnectionTypeNotFound()
    return entry
  }

  /**
   * Adds a type, or replaces one with the same id (a fixture document's connection_types). Call inside a
   * transaction.
   */
  define (definition: ConnectionTypeDefinitionInput): void {
    this.upsert.run(definition.id, JSON.stringify(definition))
    this.invalidate()
  }

  /** The types the world itself defines, for export. */
  definitions (): ConnectionTypeDefinitionInput[] {
    return this.stored.all().map((row) => JSON.parse(row.definition) as ConnectionTypeDefinitionInput)
  }
}

/** A configuration checked against its type; each problem is a 422 naming configuration.<field>. */
export function checkConfiguration (entry: ConnectionTypeEntry, configuration: Configuration): Configuration {
  if (entry.validate(configuration)) return configuration
  const issue = firstIssue(entry.validate.errors ?? [])
  const path = issue === undefined || issue.path === '' ? 'configuration' : `configuration.${issue.path}`
  throw validationError(path, issue?.problem ?? 'is invalid')
}

/** A configuration as responses and exports show it: each secret that is set replaced by the mask. */
export function maskConfiguration (
  entry: ConnectionTypeEntry | undefined,
  configuration: Configuration
): Configuration {
  const masked: Configuration = {}
  for (const [name, value] of Object.entries(configuration)) {
    const secret = entry === undefined ? ALWAYS_SECRET.has(name) : entry.secrets.has(name)
    masked[name] = secret && value !== undefined && value !== null && value !== '' ? MASK : value
  }
  return masked
}

/**
 * An update's configuration (a full replacement): a secret the request leaves out, or sends back
 * as the mask, keeps its stored value.
 */
export function replaceConfiguration (
  entry: ConnectionTypeEntry,
  stored: Configuration,
  given: Configuration
): Configuration {
  const next: Configuration = { ...given }
  for (const name of entry.secrets) {
    if ((next[name] === undefined || next[name] === MASK) && stored[name] !== undefined) next[name] = stored[name]
    else if (next[name] === MASK) delete next[name]
  }
  return next
}

/** The public JSON Schema of a type's configuration (GET /api/connection_types/:id). */
export function publicSchema (entry: ConnectionTypeEntry): Record<string, unknown> {
  const { definition } = entry
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: definition.id,
    title: definition.name,
    type: 'object',
    properties: definition.configuration.properties,
    required: definition.configuration.required ?? []
  }
}

/** A type as GET /api/connection_types lists it (the SDK's ConnectionType, camelCase keys and all). */
export function publicConnectionType (entry: ConnectionTypeEntry): Record<string, unknown> {
  const { definition } = entry
  const capabilities = {
    source: false,
    destination: false,
    enrichment: false,
    orchestration: false,
    ...definition.capabilities
  }
  const initial: Configuration = {}
  for (const [name, field] of Object.entries(definition.configuration.properties)) {
    if (field.default !== undefined) initial[name] = field.default
  }
  const type: Record<string, unknown> = {
    id: definition.id,
    name: definition.name,
    capabilities,
    configurationForm: { jsonschema: publicSchema(entry) },
    initialConfiguration: initial,
    use_oauth: definition.use_oauth === true
  }
  if (definition.logo_url !== undefined) type.logo_url = definition.logo_url
  return type
}

/**
 * Parameter values: for each field with a fixed set of values (an enum), those values as label and
 * value, filtered by `query` (case-insensitive); one field when named (a field that is not the
 * type's is a 422), every enum field otherwise.
 */
export function parameterValues (
  entry: ConnectionTypeEntry,
  field?: string,
  query?: string
): Record<string, { allows_creation: boolean; values: Array<{ label: string; value: unknown }> }> {
  const properties = entry.definition.configuration.properties
  const names = Object.keys(properties)
  if (field !== undefined && !names.includes(field)) {
    throw validationError('field', `is not a configuration field of ${entry.definition.id}${didYouMean(field, names)}`)
  }
  const needle = query?.toLowerCase()
  const result: ReturnType<typeof parameterValues> = {}
  for (const name of field === undefined ? names : [field]) {
    const choices = properties[name]?.enum
    if (choices === undefined && field === undefined) continue
    const values = (choices ?? [])
      .map((value) => ({ label: String(value), value }))
      .filter((v) => needle === undefined || v.label.toLowerCase().includes(needle))
    result[name] = { allows_creation: false, values }
  }
  return result
}
