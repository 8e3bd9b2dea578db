import t from 'tap'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { closestName, distance, editsAllowed, unknownFieldProblem } from '../src/core/suggest.js'
import { W, bearer, build, call } from './helper.js'
import { join } from 'node:path'
import { FIXTURES_DIR } from '../src/core/paths.js'

/** The configuration field names of every bundled connection type, type by type. */
const TYPES = (
  JSON.parse(readFileSync(join(FIXTURES_DIR, 'connection-types.json'), 'utf8')) as {
    connection_types: Array<{ id: string; configuration: { properties: Record<string, unknown> } }>
  }
).connection_types.map((type) => ({ id: type.id, names: Object.keys(type.configuration.properties) }))

/** A suggestion is justified when the unknown name begins it, is part of it, or is a slip of it. */
function justified (unknown: string, suggestion: string): boolean {
  const a = unknown.toLowerCase()
  const b = suggestion.toLowerCase()
  return (a.length >= 3 && b.includes(a)) || distance(a, b) <= editsAllowed(a.length)
}

const typeAndField = fc
  .constantFrom(...TYPES)
  .chain((type) => fc.record({ names: fc.constant(type.names), field: fc.constantFrom(...type.names) }))

t.test('a name that begins a known one, or is part of it, is taken for it before any nearer slip', async (t) => {
  const postgres = TYPES.find((type) => type.id === 'postgresql')?.names ?? []
  t.equal(closestName('host', postgres), 'hostname', 'not port, two edits away')
  t.equal(unknownFieldProblem('host', postgres), 'unknown field (did you mean hostname?)')
  t.equal(closestName('emial', ['email', 'name']), 'email')
  t.equal(closestName('prot', ['port', 'host']), 'port')
  t.equal(closestName('name', ['hostname', 'username', 'id']), 'hostname', 'the shortest that holds it')
  t.equal(closestName('to', ['status', 'message']), undefined, 'nothing is close: nothing is said')
  t.equal(unknownFieldProblem('to', ['status', 'message']), 'unknown field (known fields: status, message)')
})

t.test("property: over the bundled types' fields, a prefix of a field suggests a field it begins", async (t) => {
  fc.assert(
    fc.property(typeAndField, fc.nat(), ({ names, field }, cut) => {
      fc.pre(field.length > 3)
      const prefix = field.slice(0, 3 + (cut % (field.length - 3)))
      fc.pre(!names.includes(prefix))
      const suggestion = closestName(prefix, names)
      return suggestion !== undefined && suggestion.toLowerCase().startsWith(prefix.toLowerCase())
    }),
    { numRuns: 500 }
  )
  t.pass('held over 500 prefixes')
})

t.test(
  "property: one slip in a field's name suggests a name within the slips allowed, or one holding it",
  async (t) => {
    const slip = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('delete', 'substitute', 'swap', 'insert'),
      letter: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_')
    })
    fc.assert(
      fc.property(typeAndField, slip, ({ names, field }, { at, kind, letter }) => {
        fc.pre(field.length >= 4)
        const i = at % field.length
        const typo =
          kind === 'delete'
            ? field.slice(0, i) + field.slice(i + 1)
            : kind === 'substitute'
              ? field.slice(0, i) + letter + field.slice(i + 1)
              : kind === 'insert'
                ? field.slice(0, i) + letter + field.slice(i)
                : field.slice(0, i) + field.slice(i + 1, i + 2) + field.slice(i, i + 1) + field.slice(i + 2)
        fc.pre(!names.includes(typo))
        const suggestion = closestName(typo, names)
        return suggestion !== undefined && justified(typo, suggestion)
      }),
      { numRuns: 1000 }
    )
    t.pass('held over 1,000 slips')
  }
)

t.test('property: any name gets a justified suggestion, or none when no known name is close', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...TYPES), fc.stringMatching(/^[a-z_]{1,20}$/), ({ names }, unknown) => {
      fc.pre(!names.includes(unknown))
      const suggestion = closestName(unknown, names)
      if (suggestion !== undefined) return justified(unknown, suggestion)
      return names.every((name) => !justified(unknown, name))
    }),
    { numRuns: 2000 }
  )
  t.pass('held over 2,000 names')
})

t.test('a connection configuration with a misnamed field is told the field it meant', async (t) => {
  const app = await build(t)
  const res = await call(app, 'POST', '/api/connections', bearer(W.jane.key), {
    name: 'Wrong field',
    type: 'postgresql',
    configuration: { host: 'db.example.com', database: 'x', username: 'u', password: 'p', port: 5432 }
  })
  t.equal(res.status, 422)
  t.match(res.body, { metadata: { field: 'configuration.host', problem: 'unknown field (did you mean hostname?)' } })
})
