import { readFileSync } from 'node:fs'

/** The package's own version, read once (works from src/ and dist/ alike). */
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

export const PACKAGE_VERSION = manifest.version
