// The npm tarball installed as a consumer installs it: production dependencies only, in a folder
// outside the project. Shared by the packaged-process test and the test-runner consumers.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PROJECT = resolve(fileURLToPath(new URL('../..', import.meta.url)))

/** The newest modification time of the files under a folder (0 for none). */
function newest (folder: string): number {
  let latest = 0
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return latest
}

/**
 * Packs the build and installs the tarball into `work`/consumer, production dependencies only;
 * returns the consumer folder. The build is made here only if dist/ is missing or older than src/
 * or scripts/, so that one test run (and CI) compiles once; npm pack itself skips its prepack build.
 * Two suites may ask at once: the build writes in place, so the second waits for a complete one.
 */
export function packAndInstall (work: string): string {
  const dist = join(PROJECT, 'dist')
  const sources = Math.max(newest(join(PROJECT, 'src')), newest(join(PROJECT, 'scripts')))
  if (!existsSync(join(dist, 'index.cjs')) || newest(dist) < sources) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT, stdio: 'ignore' })
  }
  const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], {
    cwd: PROJECT,
    encoding: 'utf8'
  })
    .trim()
    .split('\n')
    .pop() as string
  const consumer = join(work, 'consumer')
  mkdirSync(consumer)
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }))
  execFileSync(
    'npm',
    ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)],
    { cwd: consumer, stdio: 'ignore' }
  )
  // better-sqlite3 compiles its binding at install; that takes minutes and needs no network here,
  // so the binding this checkout already built for the same Node is copied in instead.
  const binding = join('node_modules', 'better-sqlite3', 'build', 'Release')
  mkdirSync(join(consumer, binding), { recursive: true })
  copyFileSync(join(PROJECT, binding, 'better_sqlite3.node'), join(consumer, binding, 'better_sqlite3.node'))
  return consumer
}
