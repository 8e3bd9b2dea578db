import type { FastifyInstance } from 'fastify'
import { W, bearer, call, until, type Call } from '../helper.js'

/** runQuery (as Jane, unless told), then getQuery until the task has ended: a wait on a signal, not a sleep. */
export async function runQuery (
  app: FastifyInstance,
  connectionId: string,
  sql: string,
  headers = bearer(W.jane.key)
): Promise<Call> {
  const url = `/api/connections/${connectionId}/query?query=${encodeURIComponent(sql)}`
  const started = await call(app, 'POST', url, headers, {})
  if (started.status !== 200) return started
  const id = (started.body as { data: { id: string } }).data.id
  let got: Call = started
  await until(`query ${id}`, async () => {
    got = await call(app, 'GET', `/api/queries/${id}`, headers)
    return (got.body as { data: { status: string } }).data.status !== 'running'
  })
  return got
}
