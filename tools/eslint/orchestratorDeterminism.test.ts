import { Linter, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rule = require('./orchestratorDeterminism.cjs') as import('eslint').Rule.RuleModule;

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
});

tester.run('orchestrator-determinism', rule, {
  valid: [
    // The project's style: time from the context, I/O in activities.
    `df.app.orchestration('o', function* (context) { const now = context.df.currentUtcDateTime; yield context.df.callActivity('a', now.toISOString()); });`,
    // new Date(x) from a replayed value is deterministic.
    `df.app.orchestration('o', function* (context) { const t = new Date(context.df.currentUtcDateTime.getTime() + 1000); yield context.df.createTimer(t); });`,
    // Clock reads outside orchestrators (activities, plain generators) are fine.
    `df.app.activity('a', { handler: async () => Date.now() });`,
    `function* ids() { yield Math.random(); }`,
    `const h = function* () { yield Date.now(); }; other(h);`,
  ],
  invalid: [
    {
      code: `df.app.orchestration('o', function* (context) { const t = Date.now(); yield context.df.callActivity('a', t); });`,
      errors: [{ messageId: 'banned', line: 1 }],
    },
    {
      code: `const handler: OrchestrationHandler = function* (context) {\n  const r = Math.random();\n  yield context.df.callActivity('a', r);\n};`,
      errors: [{ messageId: 'banned', line: 2 }],
    },
    {
      // Through a variable, as src/functions/analysis registers its orchestrators.
      code: `function* handler(context) { const d = new Date(); yield context.df.callActivity('a', d); }\ndf.app.orchestration('o', handler);`,
      errors: [{ messageId: 'banned' }],
    },
    {
      code: `df.app.orchestration('o', function* (context) { const x = fs.readFileSync('f'); const y = require('node:fs'); yield context.df.callActivity('a', [x, y]); });`,
      errors: [{ messageId: 'banned' }, { messageId: 'banned' }],
    },
    {
      code: `df.app.orchestration('o', function* (context) { const f = async () => { await fetch('http://x'); }; setTimeout(f, 10); yield context.df.callActivity('a', crypto.randomUUID()); });`,
      errors: [{ messageId: 'banned' }, { messageId: 'banned' }, { messageId: 'banned' }, { messageId: 'banned' }],
    },
  ],
});

test('the rule names what it found and what to use instead', () => {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    `df.app.orchestration('o', function* (context) { yield context.df.callActivity('a', Date.now()); });`,
    [
      {
        plugins: { streamfold: { rules: { 'orchestrator-determinism': rule } } },
        rules: { 'streamfold/orchestrator-determinism': 'error' },
      },
    ],
  );
  expect(messages.map((m) => m.message)).toEqual([
    "'Date.now()' inside orchestrator generator: it differs between replays, so the orchestrator is not deterministic. Use context.df.currentUtcDateTime.",
  ]);
});
