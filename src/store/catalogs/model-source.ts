import { validationError } from '../../core/errors.js'
import { didYouMean } from '../../core/suggest.js'
import type { StoredConnection } from '../connections/connections.js'
import type { CatalogRepository, SchemaView } from './catalogs.js'
import type { QueryRunner } from './queries.js'
import { tableName } from './sql.js'

/** A column of a model's result: its name and the type the catalog gives it. */
export interface SourceColumn {
  name: string
  type: string
  remote_type?: string
  /** The schema it comes from (a table model, or a query's column that is a table's). */
  schema?: string
}

/** What a model reads: a table of the catalog or a SQL query. */
export interface ModelSource {
  table?: string
  query?: string
  schema?: SchemaView
  columns: SourceColumn[]
}

/** Whether a schema id names the table a query's column comes from (main holds the ids without a namespace). */
function isTableOf (schemaId: string, column: { table: string | null; database: string | null }): boolean {
  const { schema, name } = tableName(schemaId)
  return column.table === name && (schema ?? 'main') === column.database
}

const DECLARED: Record<string, string> = { NUMERIC: 'number', INTEGER: 'number', REAL: 'number', TEXT: 'string' }

/**
 * What a model's configuration reads from its connection's catalog: `table` (a schema id, or a table name only one
 * schema has) or `query` (SQL, on a connection that runs it). Neither: undefined (the model's fields are those it
 * names). An unknown table or a query that does not run is a 422 naming it.
 */
export function modelSource (
  catalogs: CatalogRepository,
  queries: QueryRunner,
  connection: StoredConnection,
  configuration: Record<string, unknown>,
  path = 'configuration'
): ModelSource | undefined {
  const { table, query } = configuration
  if (typeof table === 'string' && table !== '') {
    const schema = catalogs.schemaByName(connection, table)
    if (schema === undefined) {
      const known = catalogs.schemas(connection).map((s) => s.id)
      const problem = `connection ${connection.id} has no table ${table}${didYouMean(table, known)}`
      throw validationError(`${path}.table`, problem)
    }
    return {
      table: schema.id,
      schema,
      columns: schema.fields.map((f) => ({ name: f.id, type: f.type, remote_type: f.remote_type, schema: schema.id }))
    }
  }
  if (typeof query === 'string' && query !== '') {
    if (!queries.runsSql(connection)) {
      const problem = `connection ${connection.id} (${connection.type}) runs no SQL: name a table`
      throw validationError(`${path}.query`, problem)
    }
    const described = queries.check(connection, query)
    if (described.error !== undefined) throw validationError(`${path}.query`, described.error)
    const schemas = catalogs.schemas(connection)
    return {
      query,
      columns: (described.fields ?? []).map((column) => {
        const origin = schemas.find((s) => isTableOf(s.id, column))
        const field = origin?.fields.find((f) => f.id === column.column)
        return field === undefined
          ? { name: column.name, type: DECLARED[column.type?.toUpperCase() ?? ''] ?? 'unknown' }
          : { name: column.name, type: field.type, remote_type: field.remote_type, schema: origin?.id }
      })
    }
  }
  return undefined
}

/** The fields a model names must be columns of what it reads: a 422 naming the first that is not. */
export function checkModelFields (source: ModelSource, fields: readonly string[], path = 'fields'): void {
  const names = source.columns.map((c) => c.name)
  fields.forEach((field, index) => {
    if (!names.includes(field)) {
      const what = source.table ?? 'the query'
      throw validationError(`${path}[${index}]`, `${field} is not a column of ${what}${didYouMean(field, names)}`)
    }
  })
}
