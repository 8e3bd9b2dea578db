import { readFileSync } from 'node:fs'
import { PACKAGE_JSON } from './paths.js'

/** The package's own version, read once (works from src/ and dist/ alike). */
const manifest = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }

export const PACKAGE_VERSION = manifest.version
