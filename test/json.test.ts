import fc from 'fast-check'
import t from 'tap'
import { locateJsonSyntaxError, nestsDeeperThan, parseOrText, unsafeJsonProblem } from '../src/core/json.js'
import { REDACTED, redactJsonText, redactSecrets } from '../src/core/secrets.js'
import { seedFrom } from './support/seed.js'

const SEED = seedFrom('FUZZ_SEED')

t.test('nestsDeeperThan counts objects and arrays, not brackets inside strings', async (t) => {
  t.equal(nestsDeeperThan('[[[1]]]', 3), false)
  t.equal(nestsDeeperThan('[[[[1]]]]', 3), true)
  t.equal(nestsDeeperThan('{"a":{"b":{"c":{}}}}', 3), true)
  t.equal(nestsDeeperThan('{"a":"[[[[[[[[","b":"\\"[[[[[["}', 3), false, 'brackets in strings, escaped quotes included')
  t.equal(nestsDeeperThan('[1],[2],[3],[4],[5]', 1), false, 'depth, not count')
  t.equal(nestsDeeperThan('['.repeat(100_000), 64), true)
})

t.test('nestsDeeperThan agrees with the depth of generated JSON', async (t) => {
  const depthOf = (value: unknown): number =>
    typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
      const text = JSON.stringify(value)
      const deeper = depthOf(value) > max
      return nestsDeeperThan(text, max) === deeper
    }),
    { seed: SEED, numRuns: 2000 }
  )
  t.pass('2,000 generated values agree')
})

t.test(
  'locateJsonSyntaxError finds nothing in valid JSON and something in every text JSON.parse refuses',
  async (t) => {
    const parses = (text: string): boolean => {
      try {
        JSON.parse(text)
        return true
      } catch {
        return false
      }
    }
    const mutated = fc
      .tuple(
        fc.jsonValue({ maxDepth: 4 }),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\\', '\n', '{', '[', '-', '0', 'tru', '.5'),
        fc.boolean()
      )
      .map(([value, at, insert, remove]) => {
        const text = JSON.stringify(value, null, at % 3 === 0 ? 2 : undefined)
        const i = at % (text.length + 1)
        return text.slice(0, i) + insert + text.slice(remove ? i + 1 : i)
      })
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          mutated,
          fc.string()
        ),
        (text) => {
          const problem = locateJsonSyntaxError(text)
          return parses(text) ? problem === null : problem !== null && problem.line >= 1 && problem.column >= 1
        }
      ),
      { seed: SEED, numRuns: 5000 }
    )
    t.pass('5,000 generated texts agree')
  }
)

t.test('locateJsonSyntaxError gives line and column from 1, and what it found', async (t) => {
  t.same(locateJsonSyntaxError('{\n  "a": 1,\n  "b": tru\n}'), { line: 3, column: 8, problem: 'unexpected "t"' })
  t.same(locateJsonSyntaxError(''), { line: 1, column: 1, problem: 'the text ends where a value should be' })
  t.same(locateJsonSyntaxError('[1 2]'), { line: 1, column: 4, problem: 'expected "," or "]", found "2"' })
  t.same(locateJsonSyntaxError('"abc'), { line: 1, column: 5, problem: 'a string that never ends' })
  t.equal(locateJsonSyntaxError(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), null, 'any depth, without recursion')
})

t.test('parseOrText: whole JSON parsed; cut, malformed or too deep JSON kept as text', async (t) => {
  t.same(parseOrText('{"a":[1]}', 64), { a: [1] })
  t.equal(parseOrText('{"a":[1', 64), '{"a":[1')
  t.equal(parseOrText('[[[1]]]', 2), '[[[1]]]')
  t.equal(parseOrText('', 64), null)
  t.equal(parseOrText(null, 64), null)
})

t.test('unsafeJsonProblem: too deep, circular and BigInt values are named; ordinary values pass', async (t) => {
  let deep: unknown = 1
  for (let i = 0; i < 70; i++) deep = { a: deep }
  const cyclic: unknown[] = []
  cyclic.push({ back: cyclic })
  t.equal(unsafeJsonProblem({ a: [1, { b: null }], s: 'x' }, 64), null)
  t.equal(unsafeJsonProblem(deep, 64), 'nests deeper than 64 levels')
  t.equal(unsafeJsonProblem(cyclic, 64), 'cannot be written as JSON (it contains itself)')
  t.equal(unsafeJsonProblem({ n: 10n }, 64), 'cannot be written as JSON (a BigInt)')
  const shared = { x: 1 }
  t.equal(unsafeJsonProblem({ a: shared, b: [shared, { c: shared }] }, 64), null, 'an object may appear more than once')
  let lattice: unknown = { leaf: true }
  for (let i = 0; i < 40; i++) lattice = { left: lattice, right: lattice }
  t.equal(
    unsafeJsonProblem(lattice, 64),
    'is too large to write as JSON (over 1,000,000 values)',
    '2^40 values once written out: refused without walking them all'
  )
})

t.test(
  'redactSecrets replaces secret fields at any depth, by name or by parent and name, and copies the rest',
  async (t) => {
    const input = {
      data: { value: 'k1', id: 'u1' },
      result: { value: 'k2' },
      value: 'not a key at the top',
      organizations: [{ name: 'o', client_secret: 'c' }],
      partners: [{ id: 'p', key: 'pk' }],
      api_keys: [{ key: 'ak', organization_id: 'o' }],
      deployment_keys: ['d1', 'd2'],
      error: { key: 'user_not_found' },
      nested: { deeper: { password: 'pw', token: 't', secret: 's' } }
    }
    const output = redactSecrets(input)
    t.same(output, {
      data: { value: REDACTED, id: 'u1' },
      result: { value: REDACTED },
      value: 'not a key at the top',
      organizations: [{ name: 'o', client_secret: REDACTED }],
      partners: [{ id: 'p', key: REDACTED }],
      api_keys: [{ key: REDACTED, organization_id: 'o' }],
      deployment_keys: [REDACTED, REDACTED],
      error: { key: 'user_not_found' },
      nested: { deeper: { password: REDACTED, token: REDACTED, secret: REDACTED } }
    })
    t.equal(input.data.value, 'k1', 'the input is left as it was')
  }
)

t.test(
  'redactJsonText: untouched without a secret, rewritten when whole, replaced in place when cut or malformed',
  async (t) => {
    const plain = '{"email":"a@example.com"}'
    t.equal(redactJsonText(plain, 64), plain)
    t.equal(redactJsonText('{"data":{"value":"k"}}', 64), '{"data":{"value":"[redacted]"}}')
    t.equal(redactJsonText('{"name":"x","client_secret":"s3\\"cr', 64), '{"name":"x","client_secret":"[redacted]"')
    t.equal(redactJsonText('{"client_secret": "s", oops', 64), '{"client_secret": "[redacted]", oops')
    const deep = `${'['.repeat(100)}{"token":"t"}${']'.repeat(100)}`
    t.notOk(redactJsonText(deep, 64).includes('"t"'), 'too deep to rebuild: replaced in place')
  }
)
