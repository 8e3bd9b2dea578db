// One simulator for the whole run, started by the global set-up with these settings (createSimulator's options;
// the CLI's environment variables work too) and stopped by the tear-down. Every test file gets a tenant of its
// own from useTenant().
const { polytomicMock } = require('polytomic-mock/jest')

module.exports = {
  testEnvironment: 'node',
  globalSetup: polytomicMock({ webhookRetryBaseMs: 5 }),
  globalTeardown: 'polytomic-mock/jest'
}
