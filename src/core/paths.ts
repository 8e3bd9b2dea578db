import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the package's own files are, found from this module wherever its code runs: from the
 * sources (src/core/paths.ts), the build (dist/core/paths.js) or a bundled entry point (dist/cli.js).
 * The package root is the nearest folder above that holds package.json.
 */
const here = fileURLToPath(import.meta.url)

function packageRoot (): string {
  let dir = dirname(here)
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const up = dirname(dir)
    if (up === dir) throw new Error(`no package.json above ${here}`)
    dir = up
  }
}

export const PACKAGE_ROOT = packageRoot()

/**
 * The folder of the running code (src/ from the sources, dist/ from the build, or wherever a
 * transpiled copy runs from): the folder above core/, or this module's own folder in a bundle.
 */
const CODE_ROOT = basename(dirname(here)) === 'core' ? dirname(dirname(here)) : dirname(here)

export const PACKAGE_JSON = join(PACKAGE_ROOT, 'package.json')
export const FIXTURES_DIR = join(PACKAGE_ROOT, 'fixtures')

/** The validators `npm run build` compiles (src/http/precompile.ts); absent when running from the sources. */
export const PRECOMPILED_FILE = join(CODE_ROOT, 'precompiled', 'validators.cjs')
