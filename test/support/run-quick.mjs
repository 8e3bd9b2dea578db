// The quick suites' runner (`npm test`, after pretest has transpiled them into .tap-build/): each
// test file in its own node process, as many at once as there are cores, its TAP output parsed
// with tap's own parser. tap's runner would add its process tracking to every file (a loader
// thread that sees each module load, for coverage this project does not collect): about 0.6 s of
// CPU a file, most of a run on two cores. Prints a failing file's output whole, then tap's summary
// line (`# { total: N, pass: N }`, what .ci/run counts); exits 1 when any file fails.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, relative } from 'node:path'
import { Parser } from 'tap-parser'

/** Where the transpiled test files are (TEST_ROOT for another folder, as the runner's own test does). */
const ROOT = process.env.TEST_ROOT ?? '.tap-build/test'
const JOBS = Number(process.env.TEST_JOBS ?? Math.max(2, availableParallelism()))
/** tap's own per-file timeout. */
const TIMEOUT_MS = 300_000
/** Young-generation room: the tests allocate fast, and a larger nursery cut a heavy file's CPU by a quarter. */
const NODE_ARGS = ['--enable-source-maps', '--max-semi-space-size=64']

const only = process.argv.slice(2)
const files = readdirSync(ROOT, { recursive: true })
  .filter((f) => f.endsWith('.test.js'))
  .map((f) => join(ROOT, f))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()

/** Runs one file; resolves with its counts (leaf assertions, as tap counts them) and its output. */
function runFile (file) {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [...NODE_ARGS, file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    let total = 0
    let pass = 0
    const count = (parser) => {
      // The point that ends a subtest follows its child parser: tap counts the assertions inside it, not the point.
      let closesChild = false
      parser.on('child', (child) => {
        closesChild = true
        count(child)
      })
      parser.on('assert', (point) => {
        if (closesChild) {
          closesChild = false
          return
        }
        total++
        if (point.ok || point.todo || point.skip) pass++
      })
    }
    const parser = new Parser()
    count(parser)
    let parsedOk = true
    parser.on('complete', (results) => { parsedOk = results.ok })
    child.stdout.on('data', (chunk) => { output += chunk; parser.write(chunk) })
    child.stderr.on('data', (chunk) => { output += chunk })
    const timer = setTimeout(() => { output += `\n# timed out after ${TIMEOUT_MS} ms\n`; child.kill('SIGKILL') }, TIMEOUT_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      parser.end()
      const ok = code === 0 && signal === null && parsedOk && pass === total
      // A file that failed without a failing assertion (a crash, a timeout, a bad exit) counts one failure of its own.
      const counted = !ok && pass === total ? total + 1 : total
      resolve({ file, ok, total: counted, pass, output, ms: performance.now() - started })
    })
  })
}

const results = []
let next = 0
await Promise.all(Array.from({ length: Math.min(JOBS, files.length) }, async () => {
  while (next < files.length) {
    const result = await runFile(files[next++])
    results.push(result)
    process.stdout.write(`${result.ok ? 'ok' : 'not ok'} ${results.length} - ${relative(ROOT, result.file)} # time=${result.ms.toFixed(0)}ms, ${result.total} assertions\n`)
    if (!result.ok) process.stdout.write(result.output.replace(/^/gm, '    ') + '\n')
  }
}))
const total = results.reduce((n, r) => n + r.total, 0)
const pass = results.reduce((n, r) => n + r.pass, 0)
const failed = results.filter((r) => !r.ok)
process.stdout.write(`\n# ${files.length} files, ${failed.length} failed${failed.map((r) => `\n#   ${r.file}`).join('')}\n`)
process.stdout.write(`# { total: ${total}, pass: ${pass}${total === pass ? '' : `, fail: ${total - pass}`} }\n`)
process.exitCode = failed.length === 0 && files.length > 0 ? 0 : 1
