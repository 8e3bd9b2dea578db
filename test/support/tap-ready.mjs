// Run before the suites (npm's pretest): builds tap's Test class when its plugins differ from the
// configured ones (package.json drops @tapjs/typescript: tests load through tsx). tap notices the
// difference itself, but the run that notices keeps the old class's loaders for its test files, so
// the first run after `npm ci` would load both ts-node and tsx in every file and take twice as long.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { TapConfig } from '@tapjs/config'

const config = await TapConfig.load()
let built = null
try {
  const index = createRequire(import.meta.url).resolve('@tapjs/test/package.json').replace(/package\.json$/, 'test-built/dist/esm/index.js')
  built = /export const signature = `([^`]*)`/.exec(readFileSync(index, 'utf8'))?.[1] ?? null
} catch {
  // Not where this tap version keeps it: build, which is always safe.
}
if (built !== config.pluginSignature) {
  process.stdout.write('tap: building its Test class for the configured plugins (once after install)\n')
  // Run from an npm script, so node_modules/.bin is on PATH.
  execFileSync('tap', ['build'], { stdio: 'inherit' })
}
