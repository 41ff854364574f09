/** xfed's version, kept in step with package.json by test/contract/version.test.ts. */
export const VERSION = '0.1.0';
