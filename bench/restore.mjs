// Snapshot restore of a world with thousands of rows, in-process on the build: what a test pays
// for POST /__admin/snapshots/:name/restore. Run alone with `node bench/restore.mjs` after a build.
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'

const ORG = '248df4b7-aa70-47b8-a036-33ac447e668d'

/** Median milliseconds of `rounds` restores of the bundled world grown by `users` users. */
export async function measureRestore (root, users = 3000, rounds = 5) {
  const { createSimulator } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href)
  const sim = await createSimulator({ database: ':memory:', journalSize: 0 })
  try {
    sim.app.store.transaction(() => {
      for (let i = 0; i < users; i++) sim.app.store.users.create(ORG, { email: `bulk${i}@example.com` })
    })
    sim.snapshot('big')
    const times = []
    for (let round = 0; round < rounds; round++) {
      sim.reset()
      const started = process.hrtime.bigint()
      const counts = sim.restore('big')
      times.push(Number(process.hrtime.bigint() - started) / 1e6)
      if (counts.users < users) throw new Error(`the restore brought back ${counts.users} users, not ${users}`)
    }
    times.sort((a, b) => a - b)
    return { users, rounds, medianMs: times[Math.floor(times.length / 2)] }
  } finally {
    await sim.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureRestore(join(import.meta.dirname, '..'))
  process.stdout.write(
    `snapshot restore of ${r.users} users: median ${r.medianMs.toFixed(1)} ms over ${r.rounds} rounds\n`
  )
}
