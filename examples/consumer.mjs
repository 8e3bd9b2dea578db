// The docker-compose example consumer: waits for the simulator through the admin client, lists the
// partner's organizations and the users of each, then reads back from the request journal what it
// sent. Exits non-zero if the simulator does not answer as expected. It runs inside the package (the
// image's /app, or node_modules/polytomic-mock), so 'polytomic-mock/client' resolves to the package itself.
import { AdminClient } from 'polytomic-mock/client'

const base = process.env.POLYTOMIC_URL ?? 'http://127.0.0.1:8080'
const key = process.env.POLYTOMIC_PARTNER_KEY ?? 'partner-key-acme'
const headers = { authorization: `Bearer ${key}`, 'x-polytomic-version': '2025-09-18' }
const admin = new AdminClient(base, { token: process.env.ADMIN_TOKEN ?? null })

const health = await admin.health()
process.stdout.write(`polytomic-mock ${health.version} is up\n`)
const since = new Date().toISOString()

const orgs = await fetch(`${base}/api/organizations`, { headers })
if (!orgs.ok) throw new Error(`GET /api/organizations answered ${orgs.status}`)
const { data: organizations } = await orgs.json()
for (const org of organizations) {
  const res = await fetch(`${base}/api/organizations/${org.id}/users`, { headers })
  const { data: users } = await res.json()
  process.stdout.write(
    `${org.name} (${org.id}): ${users.map((u) => `${u.email} [${u.role}]`).join(', ') || 'no users'}\n`
  )
}

const sent = await admin.requests({ since, path: '/api/organizations*' })
if (sent.length !== organizations.length + 1) {
  throw new Error(`the journal holds ${sent.length} of the ${organizations.length + 1} requests sent`)
}
process.stdout.write(`the journal saw all ${sent.length} requests\n`)
