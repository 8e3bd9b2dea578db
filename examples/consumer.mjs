// The docker-compose example consumer: lists the partner's organizations and the users of the
// bundled example organization. Exits non-zero if the simulator does not answer as expected.
const base = process.env.POLYTOMIC_URL ?? 'http://127.0.0.1:8080'
const key = process.env.POLYTOMIC_PARTNER_KEY ?? 'partner-key-acme'
const headers = { authorization: `Bearer ${key}`, 'x-polytomic-version': '2025-09-18' }

const orgs = await fetch(`${base}/api/organizations`, { headers })
if (!orgs.ok) throw new Error(`GET /api/organizations answered ${orgs.status}`)
const { data: organizations } = await orgs.json()
for (const org of organizations) {
  const res = await fetch(`${base}/api/organizations/${org.id}/users`, { headers })
  const { data: users } = await res.json()
  process.stdout.write(`${org.name} (${org.id}): ${users.map((u) => `${u.email} [${u.role}]`).join(', ') || 'no users'}\n`)
}
