import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES_DIR } from '../../core/paths.js'
import { validationError } from '../../core/errors.js'
import { didYouMean } from '../../core/suggest.js'
import {
  CatalogFileShape,
  type CatalogFileInput,
  type CatalogInput,
  type CatalogStructureInput
} from '../../http/schemas/catalogs.js'
import { compileSchema, firstIssue } from '../../http/validation.js'

export const BUNDLED_CATALOGS = join(FIXTURES_DIR, 'connection-catalogs.json')

export type FieldType = CatalogInput['schemas'][number]['fields'][number]['type']

/** A field of a catalog schema, its name filled in. */
export interface CatalogField {
  id: string
  name: string
  type: FieldType
  remote_type?: string
  association?: Record<string, unknown>
  values?: Array<{ label?: string; value?: string }>
}

/** A schema of a catalog (a table, object, file or endpoint): fields, the primary keys the source reports. */
export interface CatalogSchema {
  id: string
  name: string
  fields: CatalogField[]
  primary_keys: string[]
}

/** A schema with its rows. */
export interface SourceSchema extends CatalogSchema {
  rows: Array<Record<string, unknown>>
}

/** What the source holds: schemas and rows. */
export interface Catalog {
  schemas: SourceSchema[]
}

/** What the API saw of the source at its last schema refresh: schemas without rows. */
export interface CatalogStructure {
  schemas: CatalogSchema[]
}

/**
 * A catalog as given (fixture, control route, data file), checked: schema ids unique, field ids unique in their
 * schema, primary keys naming fields, at most `maxRows` rows in all. A problem is a 422 naming its path.
 */
export function checkedCatalog (given: CatalogInput, path: string, maxRows: number): Catalog {
  const structure = checkedStructure(given, path)
  let rows = 0
  const schemas = structure.schemas.map((schema, index) => {
    const list = (given.schemas[index]?.rows ?? [])
    rows += list.length
    return { ...schema, rows: list }
  })
  if (rows > maxRows) {
    const problem = `holds ${rows} rows; a catalog holds at most ${maxRows} (CATALOG_MAX_ROWS)`
    throw validationError(`${path}.schemas`, problem)
  }
  return { schemas }
}

/** The structure part of checkedCatalog (rows, if any, are dropped). */
export function checkedStructure (given: CatalogStructureInput | CatalogInput, path: string): CatalogStructure {
  const ids = new Set<string>()
  const schemas = given.schemas.map((schema, index) => {
    const at = `${path}.schemas[${index}]`
    if (ids.has(schema.id)) throw validationError(`${at}.id`, `duplicate schema id ${schema.id}`)
    ids.add(schema.id)
    const fieldIds = new Set<string>()
    const fields = schema.fields.map((field, f) => {
      if (fieldIds.has(field.id)) throw validationError(`${at}.fields[${f}].id`, `duplicate field id ${field.id}`)
      fieldIds.add(field.id)
      return { ...field, name: field.name ?? field.id }
    })
    const keys = schema.primary_keys ?? []
    keys.forEach((key, k) => {
      if (!fieldIds.has(key)) {
        const problem = `is not a field of ${schema.id}${didYouMean(key, [...fieldIds])}`
        throw validationError(`${at}.primary_keys[${k}]`, problem)
      }
    })
    return { id: schema.id, name: schema.name ?? schema.id, fields, primary_keys: [...keys] }
  })
  return { schemas }
}

/** A catalog without its rows. */
export function structureOf (catalog: Catalog | CatalogStructure): CatalogStructure {
  return {
    schemas: catalog.schemas.map(({ id, name, fields, primary_keys: keys }) => ({
      id,
      name,
      fields,
      primary_keys: keys
    }))
  }
}

/** A short digest of a catalog's JSON: what caches of parsed catalogs and SQL databases key on. */
export function digestOf (json: string): string {
  return createHash('sha256').update(json).digest('base64url').slice(0, 22)
}

/**
 * The default catalogs of the bundled connection types (fixtures/connection-catalogs.json), by type id. The file is
 * read on first use, not at start-up: a simulator that never looks inside a connection never pays for it.
 */
export class DefaultCatalogs {
  private byType: Map<string, { json: string; digest: string }> | null = null

  constructor (private readonly file = BUNDLED_CATALOGS) {}

  private load (): Map<string, { json: string; digest: string }> {
    const byType = new Map<string, { json: string; digest: string }>()
    const document = JSON.parse(readFileSync(this.file, 'utf8')) as unknown
    const validate = compileSchema<CatalogFileInput>(CatalogFileShape)
    if (!validate(document)) {
      const issue = firstIssue(validate.errors ?? [])
      throw new Error(`${this.file}: ${issue?.path ?? ''} ${issue?.problem ?? 'is not a catalog file'}`)
    }
    for (const [type, entry] of Object.entries(document.types)) {
      const catalog = document.catalogs[entry.catalog]
      if (catalog === undefined) throw new Error(`${this.file}: types.${type}.catalog names no catalog`)
      const prefix = entry.namespace === undefined ? '' : `${entry.namespace}.`
      const named: CatalogInput = {
        schemas: catalog.schemas.map((s) => ({ ...s, id: `${prefix}${s.id}`, name: s.name ?? s.id }))
      }
      if (entry.upper_case === true) upperCase(named)
      const json = JSON.stringify(checkedCatalog(named, `types.${type}`, Number.POSITIVE_INFINITY))
      byType.set(type, { json, digest: digestOf(json) })
    }
    return byType
  }

  /** The default catalog of a type as JSON, with its digest; a type without one has an empty catalog. */
  of (type: string): { json: string; digest: string } {
    this.byType ??= this.load()
    return this.byType.get(type) ?? EMPTY
  }
}

/** Tables and columns as Snowflake writes them: PUBLIC.USERS, EMAIL (rows keyed the same). */
function upperCase (catalog: CatalogInput): void {
  const up = (text: string): string => text.toUpperCase()
  catalog.schemas = catalog.schemas.map((schema) => ({
    ...schema,
    id: up(schema.id),
    name: up(schema.name ?? schema.id),
    fields: schema.fields.map((f) => ({ ...f, id: up(f.id), name: up(f.name ?? f.id) })),
    primary_keys: schema.primary_keys?.map(up),
    rows: schema.rows?.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [up(k), v])))
  }))
}

const EMPTY_JSON = JSON.stringify({ schemas: [] })
const EMPTY = { json: EMPTY_JSON, digest: digestOf(EMPTY_JSON) }
