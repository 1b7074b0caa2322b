/** Tests: `foo.test.ts` beside pure `foo.ts` in src/ and local-host/, integration tests under test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ["<rootDir>/src", "<rootDir>/local-host", "<rootDir>/test", "<rootDir>/tools"],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/fixtures/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 60000,
};
