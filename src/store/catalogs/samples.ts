import type { StoredConnection } from '../connections/connections.js'
import type { Store } from '../index.js'
import { modelSource } from './model-source.js'
import { rowObjects } from './sql.js'

/** Rows in a model's sample (models.sample, models.preview). */
export const MODEL_SAMPLE_ROWS = 10

/** ModelSample: the first rows of what a model reads, each under the model's key (V2SampleRecord), and warnings. */
export interface ModelSampleView {
  records: Array<Record<string, Record<string, unknown>>>
  warnings: string[]
}

/**
 * The first rows of a model's result: a table's rows from the catalog, a query's from the query runner; only the
 * model's fields when it names some. A query that fails here (the catalog changed since) is a warning.
 */
export async function sampleModel (
  store: Store,
  connection: StoredConnection,
  model: { key: string; configuration: Record<string, unknown>; fields?: string[] }
): Promise<ModelSampleView> {
  const source = modelSource(store.catalogs, store.queries, connection, model.configuration)
  if (source === undefined) {
    return { records: [], warnings: ['the model names no table or query: there is nothing to sample'] }
  }
  let rows: Array<Record<string, unknown>>
  const warnings: string[] = []
  if (source.table !== undefined) {
    rows = store.catalogs.rows(connection, source.table).slice(0, MODEL_SAMPLE_ROWS)
  } else {
    const sql = `SELECT * FROM (${source.query as string}) LIMIT ${MODEL_SAMPLE_ROWS}`
    const checked = store.queries.check(connection, sql)
    const outcome = await store.queries.run(checked)
    if ('error' in outcome) {
      rows = []
      warnings.push(outcome.error)
    } else {
      rows = rowObjects(outcome.fields, outcome.rows)
    }
  }
  const named = model.fields ?? []
  const fields = named.length > 0 ? named : source.columns.map((c) => c.name)
  return {
    records: rows.map((row) => ({ [model.key]: Object.fromEntries(fields.map((f) => [f, row[f] ?? null])) })),
    warnings
  }
}
