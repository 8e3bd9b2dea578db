import t from 'tap'
import SwaggerParser from '@apidevtools/swagger-parser'
import { build, call } from './helper.js'

interface OpenApiDocument {
  openapi: string
  paths: Record<
    string,
    Record<string, { parameters?: Array<{ in: string; name: string }>; responses: Record<string, unknown> }>
  >
  components: { securitySchemes: Record<string, { type: string; scheme: string }> }
}

t.test('GET /__admin/openapi.json is a valid OpenAPI 3 document of every /api route', async (t) => {
  const app = await build(t)
  const res = await call(app, 'GET', '/__admin/openapi.json')
  t.equal(res.status, 200)
  const doc = res.body as OpenApiDocument
  t.match(doc.openapi, /^3\./)
  await t.resolves(SwaggerParser.validate(structuredClone(doc) as never), 'swagger-parser validates it')

  t.same(doc.components.securitySchemes, {
    bearer: { type: 'http', scheme: 'bearer', description: 'A user, organization, partner or deployment key' },
    basic: {
      type: 'http',
      scheme: 'basic',
      description: '"<org uuid>:<partner or deployment key>", or "<deployment key>:"'
    }
  })

  const registered = new Set(
    app.routeTable
      // Every route is in the default version's document: a path's 2025-09-18 route stands for its shared one.
      .filter((r) => r.url.startsWith('/api/') && !r.notSimulated)
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
  )
  t.ok(registered.size >= 25, `${registered.size} /api operations are registered`)
  const documented = new Set<string>()
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      documented.add(`${method.toUpperCase()} ${path}`)
      t.ok(
        operation.parameters?.some((p) => p.in === 'header' && p.name === 'x-polytomic-version'),
        `${method} ${path} documents X-Polytomic-Version`
      )
      t.ok(operation.responses['200'] !== undefined, `${method} ${path} documents its 200`)
    }
  }
  t.same([...documented].sort(), [...registered].sort(), 'every /api route is documented, and nothing else')
  t.notOk(
    Object.keys(doc.paths).some((p) => p.startsWith('/__admin')),
    'the admin API is not in it'
  )
  for (const path of [
    '/api/connection_types',
    '/api/connection_types/{id}',
    '/api/connections',
    '/api/connections/{id}',
    '/api/connections/test',
    '/api/connections/connect/',
    '/api/connections/{id}/share',
    '/api/connections/{id}/shared',
    '/api/organizations/{org_id}/connections/{connection_id}/shared',
    '/api/webhooks',
    '/api/webhooks/{id}',
    '/api/webhooks/{id}/disable',
    '/api/webhooks/{id}/enable',
    '/api/events',
    '/api/events_types',
    '/api/bulk/syncs',
    '/api/bulk/syncs/status',
    '/api/bulk/syncs/{id}',
    '/api/bulk/syncs/{id}/activate',
    '/api/bulk/syncs/{id}/cancel',
    '/api/bulk/syncs/{id}/executions',
    '/api/bulk/syncs/{id}/executions/{exec_id}',
    '/api/bulk/syncs/{id}/executions/{exec_id}/cancel',
    '/api/bulk/syncs/{id}/status',
    '/api/bulk/syncs/{id}/schedules',
    '/api/bulk/syncs/{id}/schedules/{schedule_id}',
    '/api/bulk/syncs/{id}/schemas',
    '/api/bulk/syncs/{id}/schemas/{schema_id}',
    '/api/models',
    '/api/models/{id}',
    '/api/syncs',
    '/api/syncs/{id}',
    '/api/syncs/{id}/activate',
    '/api/syncs/{id}/cancel',
    '/api/syncs/{id}/executions',
    '/api/syncs/{id}/executions/{exec_id}',
    '/api/syncs/{id}/status',
    '/api/jobs/{type}/{id}'
  ]) {
    t.ok(doc.paths[path] !== undefined, `${path} is documented`)
  }
  t.notOk(
    Object.keys(doc.paths).some((p) => p.startsWith('/connect')),
    'the hosted Connect page is not part of the API'
  )
})

type Operation = {
  requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: Record<string, unknown> } }> }
  responses: Record<string, unknown>
}

t.test('each version has its document: the routes and shapes it serves', async (t) => {
  const app = await build(t)
  const current = (await call(app, 'GET', '/__admin/openapi.json')).body as OpenApiDocument & {
    info: { title: string }
  }
  const earlier = (await call(app, 'GET', '/__admin/openapi.json?version=2024-02-08')).body as OpenApiDocument & {
    info: { title: string }
  }
  t.match(current.info.title, /2025-09-18/)
  t.match(earlier.info.title, /2024-02-08/)
  await t.resolves(SwaggerParser.validate(structuredClone(earlier) as never), 'the 2024-02-08 document is valid')
  const body = (doc: OpenApiDocument, path: string): { required?: string[]; properties?: Record<string, unknown> } =>
    Object.values((doc.paths[path]?.post as unknown as Operation).requestBody?.content ?? {})[0]?.schema ?? {}
  t.ok(body(current, '/api/bulk/syncs').required?.includes('default_schedule'), '2025-09-18: default_schedule')
  t.notOk(body(current, '/api/bulk/syncs').properties?.schedule, '2025-09-18: no schedule')
  t.ok(body(earlier, '/api/bulk/syncs').required?.includes('schedule'), '2024-02-08: schedule')
  t.notOk(body(earlier, '/api/bulk/syncs').properties?.default_schedule, '2024-02-08: no default_schedule')
  for (const path of ['/api/organization', '/api/organizations/{org_id}/connections/{connection_id}/shared']) {
    t.ok(current.paths[path], `${path} is in 2025-09-18's`)
    t.notOk(earlier.paths[path], `${path} is not in 2024-02-08's`)
  }
  const unsupported = await call(app, 'GET', '/__admin/openapi.json?version=2030-01-01')
  t.equal(unsupported.status, 422, 'a version the simulator does not serve')
})
