// A simulator in a child process, for tests that kill it: serves the TypeScript sources on
// 127.0.0.1 and a free port, with the database file named by DATABASE, and prints its URL.
import { createSimulator } from '../../src/index.js'

const sim = await createSimulator({ database: process.env.DATABASE ?? ':memory:', journalSize: 0 })
const url = await sim.listen({ port: 0, host: '127.0.0.1', keepProcessAlive: true })
process.stdout.write(`${url}\n`)
