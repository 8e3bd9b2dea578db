// The test-runner versions the consumer suite proves besides this project's own (vitest 4 and Jest 30, its
// devDependencies): each in a folder of test/runners/ with its package.json and lock file, installed there from the
// npm registry the first time (and again when its lock file changes).
import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { GENEROUS_MS } from './child.js'

export const RUNNER_FOLDERS = ['vitest-2', 'vitest-3', 'jest-29'] as const

/** Installs a runner folder's lock file (npm ci, no install scripts) unless its node_modules is current; its path. */
export async function installRunner (folder: string): Promise<string> {
  const marker = join(folder, 'node_modules', '.package-lock.json')
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(join(folder, 'package-lock.json')).mtimeMs) {
    return folder
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: folder,
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
      else reject(new Error(`npm ci in ${folder} exited ${String(code)}: ${errors}`))
    })
  })
  return folder
}
