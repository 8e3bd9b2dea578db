import t from 'tap'
import { apiError, build, call } from '../helper.js'

t.test('with ADMIN_TOKEN, every admin route but health needs the token', async (t) => {
  const app = await build(t, { config: { adminToken: 's3cret' } })
  t.equal((await call(app, 'GET', '/__admin/health')).status, 200)
  const routes: Array<[string, string, unknown]> = [
    ['POST', '/__admin/reset', undefined],
    ['GET', '/__admin/fixtures', undefined],
    ['PUT', '/__admin/fixtures', {}],
    ['GET', '/__admin/snapshots', undefined],
    ['POST', '/__admin/snapshots', { name: 'a' }],
    ['POST', '/__admin/snapshots/a/restore', undefined],
    ['DELETE', '/__admin/snapshots/a', undefined],
    ['POST', '/__admin/tenants', undefined],
    ['DELETE', '/__admin/tenants/x', undefined],
    ['GET', '/__admin/requests', undefined],
    ['DELETE', '/__admin/requests', undefined],
    ['GET', '/__admin/faults', undefined],
    ['POST', '/__admin/faults', { status: 500 }],
    ['DELETE', '/__admin/faults/x', undefined],
    ['DELETE', '/__admin/faults', undefined]
  ]
  for (const [method, url, body] of routes) {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong' },
      { authorization: 's3cret' },
      { authorization: 'Bearer s3cre' }
    ]) {
      const res = await call(app, method, url, headers, body)
      t.equal(res.status, 401, `${method} ${url} ${JSON.stringify(headers)}`)
      t.same(res.body, apiError(401, 'admin_unauthorized', 'a valid admin token is required'))
    }
  }
  t.equal((await call(app, 'GET', '/__admin/faults', { authorization: 'Bearer s3cret' })).status, 200)
  t.equal((await call(app, 'POST', '/__admin/reset', { authorization: 'bearer s3cret' })).status, 200)
})

t.test('without ADMIN_TOKEN the control plane is open', async (t) => {
  const app = await build(t)
  t.equal((await call(app, 'GET', '/__admin/faults')).status, 200)
})

t.test('an unknown admin route is 404 in the error shape', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', '/__admin/nothing')
  t.equal(res.status, 404)
  t.same(
    res.body,
    apiError(404, 'route_not_found', 'no such admin route: GET /__admin/nothing; docs/admin-api.md lists the admin routes')
  )
})
