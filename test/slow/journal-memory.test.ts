// The journal's memory bound: 1,000 requests with bodies just under the 1 MiB body limit
// (accepted, refused by a rule, sent to an unknown route) must not grow the process by more than
// 64 MB over its idle figure, both taken after a full garbage collection. Before the journal had a
// byte budget, this took the process from about 90 MB to over 1 GB.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { W, bearer, build } from '../helper.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const MB = 1024 * 1024
const REQUESTS = 1000

function settledRss (): number {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().rss
}

t.test(
  `${REQUESTS} requests with ~1 MiB bodies grow RSS by less than 64 MB, with the default journal settings`,
  async (t) => {
    const app = await build(t, { config: { validateResponses: false } })
    const usersUrl = `/api/organizations/${W.org.id}/users`
    const padding = 'x'.repeat(MB - 200)
    const kinds = [
      // accepted: the unknown field is stripped, the user is created
      (i: number) => ({
        method: 'POST' as const,
        url: usersUrl,
        payload: `{"email":"load${i}@example.com","padding":"${padding}"}`
      }),
      // refused by a store rule (422)
      (i: number) => ({
        method: 'POST' as const,
        url: usersUrl,
        payload: `{"email":"not an email ${i}","padding":"${padding}"}`
      }),
      // an unknown /api route (404)
      (i: number) => ({ method: 'POST' as const, url: `/api/nowhere/${i}`, payload: `{"padding":"${padding}"}` })
    ]
    const warm = await app.inject({ method: 'GET', url: '/api/me', headers: bearer(W.jane.key) })
    t.equal(warm.statusCode, 200)
    const idle = settledRss()
    const statuses = new Map<number, number>()
    for (let i = 0; i < REQUESTS; i++) {
      const kind = kinds[i % kinds.length] as (typeof kinds)[number]
      const res = await app.inject({
        ...kind(i),
        headers: { ...bearer(W.acme.key), 'content-type': 'application/json' }
      })
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    }
    const after = settledRss()
    const grown = (after - idle) / MB
    t.comment(
      `RSS idle ${(idle / MB).toFixed(1)} MB, after ${REQUESTS} requests ${(after / MB).toFixed(1)} MB: +${grown.toFixed(1)} MB; journal holds ${(app.journal.heldBytes / MB).toFixed(1)} MB in ${app.control.requests().length} entries; statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`
    )
    t.same([...statuses.keys()].sort(), [200, 404, 422], 'accepted, refused and unknown-route requests were all sent')
    t.ok(app.journal.heldBytes <= 32 * MB, 'the journal keeps within its 32 MiB budget')
    t.ok(grown < 64, `RSS grew by ${grown.toFixed(1)} MB (bound: 64 MB)`)
  }
)
