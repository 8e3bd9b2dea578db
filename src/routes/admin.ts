import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { ApiError, Errors } from '../errors.js'
import type { FaultRuleInput } from '../faults.js'
import { FaultBody, IdParam, JournalQuery, PartnerIdParam, SnapshotBody, SnapshotParams, TenantBody } from '../schemas/admin.js'
import { FixtureError, validateFixtures } from '../store/fixtures.js'
import { hashKey } from '../store/ids.js'
import { createTenant, deleteTenant } from '../store/tenants.js'
import { BASELINE } from '../store/world.js'

export interface AdminOptions {
  adminToken: string | null
  packageVersion: string
  startedAt: number
}

function sameSecret (a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(hashKey(a), 'hex'), Buffer.from(hashKey(b), 'hex'))
}

function invalidFixtures (err: FixtureError): ApiError {
  return Errors.InvalidFixtures({ message: err.message, metadata: { path: err.path, problem: err.problem } })
}

/**
 * /__admin: the test control plane. No Polytomic path uses it; it is never journaled. Every write
 * is one transaction, so an admin operation never interleaves half-way with an API request.
 */
export default async function adminRoutes (admin: FastifyInstance, options: AdminOptions): Promise<void> {
  const { store, journal, faults } = admin

  admin.addHook('onRequest', (request, _reply, done) => {
    if (options.adminToken === null || request.routeOptions.url === '/__admin/health') return done()
    const header = request.headers.authorization ?? ''
    const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : ''
    done(token !== '' && sameSecret(token, options.adminToken) ? undefined : Errors.AdminUnauthorized())
  })

  admin.get('/health', async () => ({
    status: 'ok',
    version: options.packageVersion,
    uptime_s: Math.round((Date.now() - options.startedAt) / 1000)
  }))

  admin.post('/reset', async () => {
    store.reset()
    journal.clear()
    faults.clear()
    return { status: 'ok', counts: store.world.counts() }
  })

  admin.get('/fixtures', async () => store.world.export())

  admin.put('/fixtures', { bodyLimit: 256 * 1024 * 1024 }, async (request) => {
    try {
      store.replaceWorld(validateFixtures(request.body, '<request body>'), '<request body>')
    } catch (err) {
      throw err instanceof FixtureError ? invalidFixtures(err) : err
    }
    return { status: 'ok', counts: store.world.counts() }
  })

  admin.get('/snapshots', async () => store.world.listSnapshots())

  admin.post<{ Body: { name: string } }>('/snapshots', { schema: { body: SnapshotBody } }, async (request, reply) => {
    const info = store.transaction(() => store.world.saveSnapshot(request.body.name))
    return reply.code(201).send(info)
  })

  admin.post<{ Params: { name: string } }>('/snapshots/:name/restore', { schema: { params: SnapshotParams } }, async (request) => {
    if (!store.world.hasSnapshot(request.params.name) || request.params.name === BASELINE) throw Errors.SnapshotNotFound()
    store.transaction(() => store.world.restoreSnapshot(request.params.name))
    return { status: 'ok', name: request.params.name, counts: store.world.counts() }
  })

  admin.delete<{ Params: { name: string } }>('/snapshots/:name', { schema: { params: SnapshotParams } }, async (request) => {
    if (!store.world.deleteSnapshot(request.params.name)) throw Errors.SnapshotNotFound()
    return { status: 'ok', name: request.params.name }
  })

  admin.post<{ Body: { name?: string } | null }>('/tenants', { schema: { body: TenantBody } }, async (request, reply) => {
    const tenant = store.transaction(() => createTenant(store, request.body ?? {}))
    return reply.code(201).send(tenant)
  })

  admin.delete<{ Params: { partner_id: string } }>('/tenants/:partner_id', { schema: { params: PartnerIdParam } }, async (request) => {
    store.transaction(() => deleteTenant(store, request.params.partner_id))
    return { status: 'ok', partner_id: request.params.partner_id.toLowerCase() }
  })

  admin.get<{ Querystring: Record<string, string | undefined> }>('/requests', { schema: { querystring: JournalQuery } }, async (request) => {
    const q = request.query
    return journal.query({
      method: q.method,
      path: q.path,
      status: q.status === undefined ? undefined : Number(q.status),
      partner_id: q.partner_id,
      since: q.since,
      limit: q.limit === undefined ? undefined : Number(q.limit)
    })
  })

  admin.delete('/requests', async () => ({ status: 'ok', cleared: journal.clear() }))

  admin.get('/faults', async () => faults.list())

  admin.post<{ Body: FaultRuleInput }>('/faults', { schema: { body: FaultBody } }, async (request, reply) => {
    return reply.code(201).send(faults.add(request.body))
  })

  admin.delete<{ Params: { id: string } }>('/faults/:id', { schema: { params: IdParam } }, async (request) => {
    if (!faults.remove(request.params.id)) throw Errors.FaultNotFound()
    return { status: 'ok', id: request.params.id }
  })

  admin.delete('/faults', async () => ({ status: 'ok', cleared: faults.clear() }))
}
