// The CommonJS build beside the ES module one: every dist/**/*.js gets a dist/**/*.cjs twin, and
// every declaration a .d.cts twin, in the same folder, so that paths relative to a module (the
// fixtures, the precompiled validators, package.json) mean the same in both. `require` (Jest's
// default set-up, a CommonJS TypeScript project) takes these through the package's exports.
// Run by `npm run build` after tsc.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transformSync } from 'esbuild'

const DIST = fileURLToPath(new URL('../dist', import.meta.url))

/** A relative specifier of one of our modules, in an import, export or require: './x.js' becomes './x.cjs'. */
const RELATIVE_JS = /((?:require\(|from |import\()\s*["'])(\.{1,2}\/[^"']+?)\.js(["'])/g
const toCjs = (code) => code.replace(RELATIVE_JS, '$1$2.cjs$3')

/** Entries for an ES-module-only host (vitest cannot be required): no CommonJS twin, no require condition. */
const ESM_ONLY = new Set(['vitest.js', 'vitest.d.ts'])

let modules = 0
let declarations = 0
for (const entry of readdirSync(DIST, { withFileTypes: true, recursive: true })) {
  if (!entry.isFile() || (entry.parentPath === DIST && ESM_ONLY.has(entry.name))) continue
  const file = join(entry.parentPath, entry.name)
  if (entry.name.endsWith('.d.ts')) {
    writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), toCjs(readFileSync(file, 'utf8')))
    declarations++
  } else if (entry.name.endsWith('.js')) {
    const { code } = transformSync(readFileSync(file, 'utf8'), {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcefile: entry.name,
      // import.meta does not exist in CommonJS: the module's own URL comes from __filename.
      define: { 'import.meta.url': '__import_meta_url' },
      banner: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;'
    })
    writeFileSync(file.replace(/\.js$/, '.cjs'), toCjs(code))
    modules++
  }
}
if (modules === 0 || declarations === 0) throw new Error(`nothing to convert in ${DIST}: run tsc first`)
process.stdout.write(`CommonJS build: ${modules} modules, ${declarations} declarations\n`)
