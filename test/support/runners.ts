// The test-runner versions the consumer suite proves besides this project's own (vitest 4 and Jest 30, its
// devDependencies): each pinned in a folder of test/runners/ by its package.json and lock file, and installed from
// the npm registry into a cache outside the checkout, one folder per lock file, so that nothing installed lands in
// the tree (where linters, type checks and scans would walk it) and a second run reuses the first's install.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GENEROUS_MS } from './child.js'

export const RUNNER_FOLDERS = ['vitest-2', 'vitest-3', 'jest-29'] as const

const CACHE = join(tmpdir(), 'polytomic-mock-runners')

/** Installs a runner folder's lock file (npm ci, no install scripts) unless the cache has it; the installed folder. */
export async function installRunner (folder: string): Promise<string> {
  const lock = readFileSync(join(folder, 'package-lock.json'))
  const name = folder.split(/[\\/]/).pop() as string
  const installed = join(CACHE, `${name}-${createHash('sha256').update(lock).digest('hex').slice(0, 12)}`)
  if (existsSync(join(installed, 'node_modules', '.package-lock.json'))) return installed
  // Installed beside and renamed into place whole, so a run cut short never leaves half an install to reuse.
  const staging = `${installed}.${process.pid}.tmp`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging, { recursive: true })
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(folder, file), join(staging, file))
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: staging,
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let errors = ''
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString()
    })
    const bound = setTimeout(() => child.kill('SIGKILL'), GENEROUS_MS * 2)
    child.on('exit', (code) => {
      clearTimeout(bound)
      if (code === 0) resolve()
      else reject(new Error(`npm ci for ${name} exited ${String(code)}: ${errors}`))
    })
  })
  rmSync(installed, { recursive: true, force: true })
  renameSync(staging, installed)
  return installed
}
