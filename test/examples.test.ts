import { spawn } from 'node:child_process'
import t from 'tap'
import { build, listen } from './helper.js'
import { GENEROUS_MS } from './support/child.js'

t.test('the README\'s node:test example passes against a running simulator', async (t) => {
  const app = await build(t)
  const url = await listen(app)
  const { code, output } = await new Promise<{ code: number | null, output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--test', 'examples/tenant-per-file.test.mjs'], { env: { ...process.env, POLYTOMIC_URL: url, NODE_OPTIONS: '' } })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const timer = setTimeout(() => child.kill('SIGKILL'), GENEROUS_MS)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output }) })
  })
  t.equal(code, 0, output)
  t.match(output, /# pass 4/)
  t.match(output, /# fail 0/)
})
