// Start-up failures a user can fix come out as one line naming the setting, its value and what to
// do. The errors here are real (a missing folder, a port taken by another simulator); the
// command line's exit codes and its silence about stacks are checked in test/process.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createSimulator, type Simulator } from '../src/simulator/simulator.js'
import { startupProblem } from '../src/core/startup-errors.js'

const dir = mkdtempSync(join(tmpdir(), 'pm-startup-'))

async function failureOf (start: () => Promise<unknown>): Promise<unknown> {
  try {
    await start()
  } catch (err) {
    return err
  }
  throw new Error('expected start-up to fail')
}

const opened: Simulator[] = []
t.teardown(async () => {
  for (const sim of opened) await sim.close()
})

t.test('DATABASE problems name the setting, the value and the way out', async (t) => {
  const notSqlite = join(dir, 'notes.txt')
  writeFileSync(notSqlite, 'this is not a database, it is a note\n'.repeat(200))
  const cases: Array<[string, string]> = [
    [
      join(dir, 'missing', 'world.db'),
      `DATABASE=${join(dir, 'missing', 'world.db')}: the folder ${join(dir, 'missing')} does not exist (create it first)`
    ],
    [dir, `DATABASE=${dir}: this is a folder, not a database file (name a file inside it)`],
    [
      notSqlite,
      `DATABASE=${notSqlite}: the file is not an SQLite database (point DATABASE at another file, or use :memory:)`
    ],
    [join(notSqlite, 'world.db'), `DATABASE=${join(notSqlite, 'world.db')}: ${notSqlite} is not a folder`]
  ]
  for (const [database, line] of cases) {
    const err = await failureOf(() => createSimulator({ database }))
    t.equal(startupProblem(err, { port: 8080, host: '127.0.0.1' }), line, database)
  }
})

t.test(
  'a port already in use, an address not of this machine and a host that does not resolve are one line each',
  async (t) => {
    const first = await createSimulator({ port: 0 })
    opened.push(first)
    const url = new URL(await first.listen({ port: 0, host: '127.0.0.1' }))
    const port = Number(url.port)
    const second = await createSimulator({})
    opened.push(second)
    const inUse = await failureOf(() => second.listen({ port, host: '127.0.0.1' }))
    t.equal(
      startupProblem(inUse, { port, host: '127.0.0.1' }),
      `PORT ${port} is already in use on 127.0.0.1 (stop what holds it, choose another PORT, or 0 for any free port)`
    )

    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine. Binding sends nothing.
    const notHere = await failureOf(() => second.listen({ port: 0, host: '192.0.2.1' }))
    t.equal(
      startupProblem(notHere, { port: 0, host: '192.0.2.1' }),
      'HOST 192.0.2.1 is not an address of this machine (use 127.0.0.1, or 0.0.0.0 for every interface)'
    )

    // .invalid never resolves (RFC 6761).
    const unresolved = await failureOf(() => second.listen({ port: 0, host: 'simulator.invalid' }))
    t.equal(
      startupProblem(unresolved, { port: 0, host: 'simulator.invalid' }),
      'HOST simulator.invalid does not resolve to an address (use an IP address such as 127.0.0.1)'
    )
  }
)

t.test('fixture problems name FIXTURES; an error nobody can fix by a setting is left to the caller', async (t) => {
  const broken = join(dir, 'broken.json')
  writeFileSync(broken, '{"users": [}')
  const err = await failureOf(() => createSimulator({ fixtures: broken }))
  t.equal(
    startupProblem(err, { port: 0, host: '127.0.0.1' }),
    `FIXTURES=${broken}: not valid JSON at line 1, column 12: unexpected "}"`
  )
  t.equal(startupProblem(new Error('something else'), { port: 0, host: '127.0.0.1' }), undefined)
})

t.test(
  "createSimulator checks its options with the command line's rules: string forms work, bad values and unknown names throw a TypeError",
  async (t) => {
    const forms: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ latencyMs: '250' }, { latencyMs: { min: 250, max: 250 } }],
      [{ latencyMs: '100-400' }, { latencyMs: { min: 100, max: 400 } }],
      [{ latencyMs: 250 }, { latencyMs: { min: 250, max: 250 } }],
      [{ latencyMs: { min: 5, max: 9 } }, { latencyMs: { min: 5, max: 9 } }],
      [{ latencyMs: null }, { latencyMs: null }],
      [
        { port: '0', journalSize: '10', requireVersion: 'true', faultSeed: 7, logLevel: 'WARN' },
        { port: 0, journalSize: 10, requireVersion: true, faultSeed: 7, logLevel: 'warn' }
      ],
      [
        { adminToken: null, defaultVersion: '2024-02-08' },
        { adminToken: null, defaultVersion: '2024-02-08' }
      ]
    ]
    for (const [options, expected] of forms) {
      const sim = await createSimulator(options)
      opened.push(sim)
      t.match(sim.config, expected, JSON.stringify(options))
    }
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ prot: 1234 }, 'unknown option "prot" (did you mean port?)'],
      [{ latencyMS: 5 }, 'unknown option "latencyMS" (did you mean latencyMs?)'],
      [{ nothingLikeIt: 1 }, 'unknown option "nothingLikeIt"'],
      [{ port: 'eighty' }, 'port must be a port number from 0 to 65535, got "eighty"'],
      [{ port: 1.5 }, 'port must be a port number from 0 to 65535, got "1.5"'],
      [{ latencyMs: 'slow' }, 'latencyMs must be milliseconds ("250") or a range ("100-400"), got "slow"'],
      [
        { latencyMs: [1, 2] },
        'latencyMs must be a number of milliseconds, a "min-max" string or { min, max }, got an object'
      ],
      [{ journalSize: -1 }, 'journalSize must be a whole number from 0 to 100000, got "-1"'],
      [{ requireVersion: 'perhaps' }, 'requireVersion must be true or false, got "perhaps"'],
      [{ fixtures: 42 }, 'fixtures must be a file path or a fixture document, got number']
    ]
    for (const [options, message] of bad) {
      const err = await failureOf(() => createSimulator(options))
      t.type(err, TypeError, JSON.stringify(options))
      t.equal((err as Error).message, message)
    }
  }
)
