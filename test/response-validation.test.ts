import t from 'tap'
import { W, bearer, build, call } from './helper.js'

const janeUrl = `/api/organizations/${W.org.id}/users/${W.jane.id}`

t.test(
  "with VALIDATE_RESPONSES, a body that breaks its route's schema becomes a 500 naming the field, in each envelope",
  async (t) => {
    const app = await build(t)
    const find = app.store.users.find.bind(app.store.users)
    app.store.users.find = (organizationId, id) => ({ ...find(organizationId, id), role: 'owner' as 'admin' })
    for (const [version, field] of [
      ['2025-09-18', 'data.role'],
      ['2021-05-23', 'result.role']
    ] as const) {
      const res = await call(app, 'GET', janeUrl, { ...bearer(W.acme.key), 'x-polytomic-version': version })
      t.equal(res.status, 500, version)
      const error = version === '2021-05-23' ? (res.body as { error: unknown }).error : res.body
      t.match(
        error,
        {
          message: `response schema mismatch: ${field}: must be one of `,
          metadata: { reason: 'response_schema_mismatch' }
        },
        version
      )
    }
  }
)

t.test('without it, the same body goes out as it is', async (t) => {
  const app = await build(t, { config: { validateResponses: false } })
  const find = app.store.users.find.bind(app.store.users)
  app.store.users.find = (organizationId, id) => ({ ...find(organizationId, id), role: 'owner' as 'admin' })
  const res = await call(app, 'GET', janeUrl, bearer(W.acme.key))
  t.equal(res.status, 200)
  t.match(res.body, { data: { role: 'owner' } })
})
