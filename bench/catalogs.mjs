// The data inside connections under load (docs/catalogs.md): a catalog of 10,000 rows on the bundled warehouse,
// then 100 concurrent clients each running queries over all of it (runQuery, polling getQuery until done), and
// 100 concurrent clients reading schemas.getRecords pages. The simulator is its own process on 127.0.0.1, as in
// the main benchmark. Run alone with `node bench/catalogs.mjs` after a build; `npm run bench` runs it too.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, CLI, load, log, rssMb, simEnv, startServer } from './lib.mjs'

const WAREHOUSE = 'e1c4a7d2-3b5f-4c8e-9a1d-6f2b4c8e0a13'
const COPY = 'f2d5b8e3-4c6a-4d9f-8b2e-7a3c5d9f1b24'
const JANE = { authorization: 'Bearer user-key-jane' }
const ROWS = 10_000
const CLIENTS = 100
/** How often a client asks whether its query is done. */
const POLL_MS = 20

/** A catalog of one table of ROWS events (and the bundled tables' names, so the bundled bulk sync stays valid). */
function bigCatalog () {
  const fields = [
    { id: 'id', type: 'number', remote_type: 'bigint' },
    { id: 'user_id', type: 'number', remote_type: 'integer' },
    { id: 'type', type: 'string', remote_type: 'text' },
    { id: 'occurred_at', type: 'datetime', remote_type: 'timestamp' }
  ]
  const types = ['page_view', 'signup', 'login', 'checkout']
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    id: i + 1,
    user_id: (i * 7919) % 200,
    type: types[i % types.length],
    occurred_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
  }))
  const small = (id) => ({ id, fields: [{ id: 'id', type: 'number' }], rows: [{ id: 1 }] })
  return {
    schemas: [
      { id: 'public.events', fields, primary_keys: ['id'], rows },
      small('public.accounts'),
      small('public.users'),
      small('public.orders')
    ]
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

/** CLIENTS loops for `seconds`: each runs the query, polls until it is done, then reads its first page. */
async function queryLoad (url, sql, seconds) {
  const deadline = Date.now() + seconds * 1000
  const latencies = []
  let rowsRead = 0
  const client = async () => {
    while (Date.now() < deadline) {
      const started = performance.now()
      const run = await fetch(`${url}/api/connections/${COPY}/query?query=${encodeURIComponent(sql)}`, {
        method: 'POST',
        headers: { ...JANE, 'content-type': 'application/json' },
        body: '{}'
      })
      if (run.status !== 200) throw new Error(`runQuery: ${run.status} ${await run.text()}`)
      const { data } = await run.json()
      for (let polls = 0; ; polls++) {
        if (polls > 100_000) throw new Error('a query never finished')
        const res = await fetch(`${url}/api/queries/${data.id}`, { headers: JANE })
        const got = await res.json()
        if (res.status !== 200) throw new Error(`getQuery: ${res.status} ${JSON.stringify(got)}`)
        if (got.data.status === 'failed') throw new Error(`query failed: ${got.data.error}`)
        if (got.data.status === 'done') {
          rowsRead += got.data.count
          break
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
      latencies.push(performance.now() - started)
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: CLIENTS }, client))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    queries: latencies.length,
    perSecond: latencies.length / elapsed,
    rowsPerSecond: rowsRead / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99)
  }
}

/** The figures: a query over ROWS rows and a records page, each at CLIENTS concurrent clients. */
export async function measureCatalogs (duration = 10) {
  // A result of 10,000 rows weighs about 0.6 MB, and 100 of them are kept at once: more than JOBS_MAX_BYTES's 8 MiB.
  const env = simEnv(join(ROOT, 'fixtures', 'default.json'), { JOBS_MAX_BYTES: String(1024 * 1024 * 1024) })
  const server = await startServer('simulator', CLI, env, '/api/me', JANE)
  try {
    const put = await fetch(`${server.url}/__admin/connections/${WAREHOUSE}/catalog`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bigCatalog())
    })
    if (put.status !== 200) throw new Error(`catalog: ${put.status} ${await put.text()}`)
    const all = await queryLoad(server.url, 'SELECT * FROM events', duration)
    const grouped = await queryLoad(server.url, 'SELECT type, count(*), max(occurred_at) FROM events GROUP BY type', duration)
    const recordsPath = `/api/connections/${COPY}/schemas/public.events/records?limit=100&page_token=${Buffer.from('o:5000').toString('base64url')}`
    await load(server, { method: 'GET', path: recordsPath, headers: JANE, connections: CLIENTS }, 1)
    const records = await load(server, { method: 'GET', path: recordsPath, headers: JANE, connections: CLIENTS }, duration)
    return { rows: ROWS, clients: CLIENTS, all, grouped, records, rssMb: rssMb(server.child) }
  } finally {
    await server.stop()
  }
}

export function catalogLines (r) {
  const q = (label, x) =>
    `| ${label} | ${x.perSecond.toFixed(1)} queries/s (${Math.round(x.rowsPerSecond).toLocaleString('en-US')} rows/s) | ${x.p50.toFixed(0)} | ${x.p99.toFixed(0)} |`
  return [
    `A catalog of ${r.rows.toLocaleString('en-US')} rows on the bundled warehouse; ${r.clients} concurrent clients; JOBS_MAX_BYTES at 1 GiB so that every client's results stay. A query is timed from runQuery to the getQuery that reports it done (polling every ${POLL_MS} ms); queries run one at a time in the query process.`,
    '',
    '| scenario | throughput | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    q(`runQuery \`SELECT * FROM events\` (${r.rows.toLocaleString('en-US')} rows back)`, r.all),
    q(`runQuery \`GROUP BY type\` over ${r.rows.toLocaleString('en-US')} rows`, r.grouped),
    `| schemas.getRecords, a page of 100 | ${r.records.rps.toFixed(0)} req/s | ${r.records.p50} | ${r.records.p99} |`,
    '',
    `RSS of the simulator after these: ${r.rssMb.toFixed(0)} MB (the query process is separate).`
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureCatalogs(Number(process.env.BENCH_DURATION ?? 10))
  for (const line of catalogLines(r)) log(line)
}
