// The in-process API from a node:test suite (tap runs node:test files and reads their TAP output).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { PolytomicClient } from 'polytomic'
import { createSimulator, type Simulator } from '../src/index.js'

let sim: Simulator
let url: string

before(async () => {
  sim = await createSimulator()
  url = await sim.listen({ port: 0, host: '127.0.0.1' })
})

after(async () => {
  await sim.close()
})

test('a node:test suite gets a tenant and drives the SDK on port 0', async () => {
  const tenant = sim.createTenant()
  const client = new PolytomicClient({ environment: url, token: tenant.admin_user_key })
  const me = await client.identity.get({ maxRetries: 0 })
  assert.equal(me.data?.id, tenant.admin_user_id)
  assert.equal(me.data?.organization_id, tenant.organization_id)
  const roles = await client.permissions.roles.list({ maxRetries: 0 })
  assert.deepEqual(
    roles.data?.map((r) => r.name),
    ['Admin', 'Member']
  )
})

test('the journal records what the suite sent', async () => {
  const tenant = sim.createTenant()
  const client = new PolytomicClient({ environment: url, token: tenant.partner_key })
  await client.organization.create({ name: 'From node:test' }, { maxRetries: 0 })
  const [entry] = sim.requests({ partner_id: tenant.partner_id, path: '/api/organizations' })
  assert.equal(entry?.status, 200)
  assert.deepEqual(entry?.body, { name: 'From node:test' })
})
