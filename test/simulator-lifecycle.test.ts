// A simulator never holds its process: a node:test run that forgets close() ends on its own, and
// `await using` closes it. The node:test file runs in its own process, as `node --test` runs it.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createSimulator } from '../src/index.js'
import { GENEROUS_MS } from './support/child.js'
import { PACKAGE_ROOT } from '../src/core/paths.js'

const FILE = join(PACKAGE_ROOT, 'test', 'support', 'left-open.node-test.ts')

t.test('a node:test run whose simulator is left open still ends, and passes', async (t) => {
  const child = spawn(process.execPath, ['--import=tsx', '--test', '--test-reporter=tap', FILE], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const code = await new Promise<number | null>((resolve) => {
    // Reached only if the run hangs: then it is stopped, and the test fails below.
    const bound = setTimeout(() => {
      child.kill('SIGKILL')
    }, GENEROUS_MS)
    child.on('exit', (exitCode, signal) => {
      clearTimeout(bound)
      resolve(signal === null ? exitCode : null)
    })
  })
  t.equal(code, 0, `node --test ended by itself:\n${output}`)
  t.match(output, /^# pass 2$/m)
  t.match(output, /^# fail 0$/m)
})

t.test('Symbol.asyncDispose closes, and is close() itself', async (t) => {
  const sim = await createSimulator()
  await sim.listen({ port: 0, host: '127.0.0.1' })
  // eslint-disable-next-line @typescript-eslint/unbound-method -- compares the two methods, calls neither
  t.equal(sim[Symbol.asyncDispose], sim.close)
  await sim[Symbol.asyncDispose]()
  t.equal(sim.url, null)
  t.equal(sim.app.server.listening, false)
  await t.resolves(sim.close(), 'closing again is harmless')
})

t.test('keepProcessAlive keeps the listening socket referenced, as the CLI needs; the default does not', async (t) => {
  // Only handles that hold the event loop are listed as active resources.
  const servers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length
  const before = servers()
  const quiet = await createSimulator()
  t.teardown(() => quiet.close())
  await quiet.listen({ port: 0, host: '127.0.0.1' })
  t.equal(servers(), before, "a test suite's simulator holds nothing")
  const serving = await createSimulator()
  t.teardown(() => serving.close())
  await serving.listen({ port: 0, host: '127.0.0.1', keepProcessAlive: true })
  t.equal(servers(), before + 1, 'a server holds the process')
})

t.test('portFile: the library writes the chosen port once listening and removes it on close', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'pm-port-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  const portFile = join(folder, 'port')
  const sim = await createSimulator({ portFile })
  t.notOk(existsSync(portFile), 'not before listening')
  const url = await sim.listen({ port: 0, host: '127.0.0.1' })
  t.equal(`http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`, url)
  t.same(readdirSync(folder), ['port'], 'no temporary file is left beside it')
  await sim.close()
  t.notOk(existsSync(portFile), 'removed on close')

  const nowhere = await createSimulator({ portFile: join(folder, 'missing', 'port') })
  await t.rejects(
    nowhere.listen({ port: 0, host: '127.0.0.1' }),
    /^PORT_FILE .*missing\/port cannot be written \(ENOENT/
  )
  t.equal(nowhere.app.server.listening, false, 'a listen that failed closed what it opened')
})
