import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { PACKAGE_ROOT } from '../src/core/paths.js'

const RUNNER = join(PACKAGE_ROOT, 'test', 'support', 'run-quick.mjs')

/** Runs the quick suites' runner over a folder of test files; returns its exit status and output. */
function runOver (files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pm-runner-'))
  try {
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true })
      writeFileSync(join(dir, name), body)
    }
    // Test files import tap from this project's node_modules: the folder sits inside it.
    const result = spawnSync(process.execPath, [RUNNER], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, TEST_ROOT: dir },
      encoding: 'utf8'
    })
    return { status: result.status, output: result.stdout + result.stderr }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const TAP = `import t from '${join(PACKAGE_ROOT, 'node_modules', 'tap', 'dist', 'esm', 'index.js')}'\n`

t.test('the runner counts the assertions inside subtests, as tap does, and passes a clean run', async (t) => {
  const { status, output } = runOver({
    'a.test.js': `${TAP}t.test('one', async (t) => { t.ok(true); t.test('nested', async (t) => { t.ok(true); t.ok(true) }) })\n`,
    'b/c.test.js': `${TAP}t.ok(true)\n`
  })
  t.equal(status, 0, output)
  t.match(output, /^# \{ total: 4, pass: 4 \}$/m)
})

t.test('a failing assertion, a crash at load and a bad exit each fail the run', async (t) => {
  const { status, output } = runOver({
    'fails.test.js': `${TAP}t.test('x', async (t) => { t.equal(1, 2, 'one is two'); t.ok(true) })\n`,
    'crashes.test.js': "throw new Error('boom at load')\n",
    'exits.test.js': `${TAP}t.ok(true)\nprocess.on('exit', () => { process.exitCode = 3 })\n`
  })
  t.equal(status, 1)
  t.match(output, /not ok \d+ - fails\.test\.js/)
  t.match(output, /one is two/, "a failing file's output is printed")
  t.match(output, /not ok \d+ - crashes\.test\.js/)
  t.match(output, /boom at load/)
  t.match(output, /not ok \d+ - exits\.test\.js/)
  t.match(output, /^# \{ total: 5, pass: 2, fail: 3 \}$/m)
})
