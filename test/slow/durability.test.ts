// Durability: a child process serves a file database; a stream of writes runs against it; the
// child is killed with SIGKILL mid-stream; a new child on the same file must have every write that
// was acknowledged with a 2xx, and the file must pass its integrity check.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { seededRandom } from '../../src/control/faults.js'
import { integrityProblems } from '../../src/store/integrity.js'
import { W } from '../helper.js'
import { waitForLine } from '../support/child.js'
import { seedFrom } from '../support/seed.js'

const ROUNDS = 3
const seed = seedFrom('DURABILITY_SEED')
const headers = { authorization: `Bearer ${W.acme.key}`, 'content-type': 'application/json' }
const usersUrl = `/api/organizations/${W.org.id}/users`

const children = new Set<ChildProcess>()
t.teardown(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

async function serve (database: string): Promise<{ child: ChildProcess; url: string; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [...process.execArgv, join('test', 'support', 'serve.ts')], {
    env: { ...process.env, DATABASE: database },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  children.add(child)
  const exited = new Promise((resolve) => child.on('exit', resolve))
  const url = (await waitForLine(child, /^http:\/\//)).trim()
  return { child, url, exited }
}

interface Expected {
  exists: boolean
  role: 'admin' | 'user'
}

t.test('every acknowledged write survives SIGKILL', async (t) => {
  const random = seededRandom(seed)
  const database = join(mkdtempSync(join(tmpdir(), 'pm-durable-')), 'world.db')
  const expected = new Map<string, Expected>()
  let emailCounter = 0

  for (let round = 0; round < ROUNDS; round++) {
    const { child, url, exited } = await serve(database)
    const killAfter = 40 + Math.floor(random() * 160)
    let acknowledged = 0
    let uncertain: string | null = null
    for (let op = 0; ; op++) {
      const known = [...expected.entries()].filter(([, e]) => e.exists).map(([id]) => id)
      const pick = random()
      let request: {
        method: string
        path: string
        body?: unknown
        apply: (body: { data?: { id: string; role: 'admin' | 'user' } }) => void
        target: string | null
      }
      if (known.length === 0 || pick < 0.55) {
        const role = random() < 0.5 ? 'admin' : 'user'
        request = {
          method: 'POST',
          path: usersUrl,
          body: { email: `durable${round}-${emailCounter++}@example.com`, role },
          target: null,
          apply: (b) => expected.set((b.data as { id: string }).id, { exists: true, role })
        }
      } else {
        const id = known[Math.floor(random() * known.length)] as string
        if (pick < 0.8) {
          const role = random() < 0.5 ? 'admin' : 'user'
          request = {
            method: 'PUT',
            path: `${usersUrl}/${id}`,
            body: { email: 'ignored@example.com', role },
            target: id,
            apply: () => expected.set(id, { exists: true, role })
          }
        } else {
          request = {
            method: 'DELETE',
            path: `${usersUrl}/${id}`,
            target: id,
            apply: () => expected.set(id, { exists: false, role: 'user' })
          }
        }
      }
      const pending = fetch(url + request.path, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body)
      })
      if (op === killAfter) {
        // Kill while this request is in flight: its outcome is unknown, and so is its target's state.
        // A seeded number of turns of the event loop, so the kill lands at varying points of the request.
        for (let turn = Math.floor(random() * 20); turn > 0; turn--) {
          await new Promise((resolve) => setImmediate(resolve))
        }
        process.kill(child.pid as number, 'SIGKILL')
        uncertain = request.target
        await pending.catch(() => undefined)
        break
      }
      const res = await pending
      if (res.status >= 200 && res.status < 300) {
        request.apply((await res.json()) as { data?: { id: string; role: 'admin' | 'user' } })
        acknowledged++
      } else {
        t.fail(`${request.method} ${request.path} answered ${res.status}`)
      }
    }
    await exited
    if (uncertain !== null) expected.delete(uncertain)

    const raw = new Database(database)
    t.same(integrityProblems(raw), [], `round ${round}: the database passes its integrity check`)
    raw.close()

    const restarted = await serve(database)
    const listed = (await (await fetch(restarted.url + usersUrl, { headers })).json()) as {
      data: Array<{ id: string; role: string }>
    }
    const found = new Map(listed.data.map((u) => [u.id, u.role]))
    let matched = 0
    for (const [id, e] of expected) {
      if (e.exists ? found.get(id) === e.role : !found.has(id)) matched++
      else {
        t.fail(
          `round ${round}: user ${id} should ${e.exists ? `exist as ${e.role}` : 'be gone'}, found ${found.get(id) ?? 'nothing'}`
        )
      }
    }
    t.comment(
      `round ${round}: killed after ${acknowledged} acknowledged writes; ${matched} of ${expected.size} tracked users as expected`
    )
    t.equal(matched, expected.size, `round ${round}: every acknowledged write is there`)
    process.kill(restarted.child.pid as number, 'SIGTERM')
    await restarted.exited
  }
})
