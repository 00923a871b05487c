/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  // 2-core machines: two workers keep the terraform oracle and the unit tests from starving each other.
  maxWorkers: 2,
  // Longest files first (jest's cached durations, else measured weights): both workers finish together.
  testSequencer: '<rootDir>/test/harness/sequencer.js',
  testTimeout: 120000,
  moduleNameMapper: { '^cdktf-ai-platform$': '<rootDir>/lib/index.ts' },
  globalSetup: '<rootDir>/test/harness/global-setup.js',
  setupFiles: ['<rootDir>/test/harness/support-calendar-date.js'],
  // No token creation traces outside the test of the library's own switch (suite time only).
  setupFilesAfterEnv: ['<rootDir>/test/harness/token-traces-off.js'],
};
