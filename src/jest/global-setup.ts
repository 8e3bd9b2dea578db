/** Jest's globalSetup: `globalSetup: 'polytomic-mock/jest/global-setup'` (see polytomic-mock/jest). */
import { globalSetup } from '../jest.js'

export default globalSetup
