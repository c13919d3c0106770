/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  transform: { '^.+\\.ts$': ['@swc/jest'], '/node_modules/jose/.+\\.js$': ['@swc/jest'] },
  // jose is ESM-only. Node 20 requires it natively, but Jest only loads ESM through require() from
  // Node 24.9: until then it is compiled to CommonJS like our own sources. Other packages stay as is.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 120000,
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
};
