import { readFileSync } from 'node:fs'

/** The package's own name and version, read once (works from src/ and dist/ alike). */
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string, version: string }

export const PACKAGE_NAME = manifest.name
export const PACKAGE_VERSION = manifest.version
