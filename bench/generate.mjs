// Fixture worlds for the benchmark: the bundled fixtures plus generated organizations and users.
import { readFileSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'

/** A deterministic UUID v4-shaped id from a label, so that runs are repeatable. */
export function id (label) {
  const h = createHash('sha256').update(label).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export const ACME_PARTNER = '6a1d3c5e-2f4b-4d8a-9c1e-3b5d7f9a1c2e'

/** bundled + `orgs` organizations of the Acme partner with `usersPerOrg` users each. */
export function world (bundledPath, orgs, usersPerOrg) {
  const fixtures = JSON.parse(readFileSync(bundledPath, 'utf8'))
  for (let o = 0; o < orgs; o++) {
    const orgId = id(`org-${o}`)
    fixtures.organizations.push({ id: orgId, name: `Bench Org ${o}`, partner_id: ACME_PARTNER })
    for (let u = 0; u < usersPerOrg; u++) {
      fixtures.users.push({
        id: id(`user-${o}-${u}`),
        organization_id: orgId,
        email: `user${u}@org${o}.example`,
        role: u === 0 ? 'admin' : 'user'
      })
    }
  }
  return fixtures
}

export function writeWorld (file, fixtures) {
  writeFileSync(file, JSON.stringify(fixtures))
}
