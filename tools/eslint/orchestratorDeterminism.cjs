'use strict';
/**
 * ESLint rule `streamfold/orchestrator-determinism`: flags what makes a Durable Functions orchestrator non-deterministic
 * when written inside an orchestrator generator. durable-functions replays the generator from its history on every
 * episode; a value read from the clock, a random source or I/O differs between replays, so the scheduled actions stop
 * matching the history and the JS SDK does not notice (azure-functions-durable-js#122). The runtime check
 * (tools/sim/determinism) finds such divergences in recorded histories; this rule finds them before they run.
 *
 * An orchestrator generator is a `function*` that is (a) passed to `*.orchestration(name, fn)` or
 * `createOrchestrator(fn)`, directly or through a variable, or (b) annotated `OrchestrationHandler`.
 * CommonJS on purpose: eslint.config.mjs imports it and jest requires it without a transform.
 */

/** Calls `object.property()` that read the clock, a random source or an id generator. */
const BANNED_MEMBER_CALLS = {
  Date: ['now'],
  Math: ['random'],
  performance: ['now'],
  crypto: ['randomUUID', 'randomBytes', 'randomInt', 'getRandomValues'],
  process: ['hrtime', 'uptime'],
};
/** Bare calls that are I/O, timers or randomness. */
const BANNED_CALLS = new Set([
  'fetch',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'randomUUID',
  'randomBytes',
  'randomInt',
  'Date',
]);
/** Objects whose every method call is I/O. */
const IO_OBJECTS = new Set(['fs', 'fsp', 'http', 'https', 'net', 'dns', 'child_process', 'axios']);
/** Modules an orchestrator must not load (I/O). */
const IO_MODULES = new Set([
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'http',
  'node:http',
  'https',
  'node:https',
  'net',
  'node:net',
  'child_process',
  'node:child_process',
  'axios',
]);

function isGenerator(node) {
  return node && (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration') && node.generator === true;
}

function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier')
    return callee.property.name;
  return undefined;
}

function typeAnnotationName(id) {
  const ann = id && id.typeAnnotation && id.typeAnnotation.typeAnnotation;
  if (!ann || ann.type !== 'TSTypeReference') return undefined;
  const name = ann.typeName;
  if (name.type === 'Identifier') return name.name;
  if (name.type === 'TSQualifiedName') return name.right.name;
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow clock, randomness and I/O inside Durable Functions orchestrator generators' },
    schema: [],
    messages: {
      banned:
        "'{{what}}' inside orchestrator generator: it differs between replays, so the orchestrator is not deterministic. {{instead}}",
    },
  },
  create(context) {
    /** Generators known to be orchestrators, and variable names bound to a generator (resolved at Program:exit). */
    const orchestrators = new Set();
    const generatorByName = new Map();
    const passedNames = new Set();
    /** Findings inside any generator, reported once we know which generators are orchestrators. */
    const findings = [];
    const stack = [];

    const markPassed = (arg) => {
      if (!arg) return;
      if (isGenerator(arg)) orchestrators.add(arg);
      else if (arg.type === 'Identifier') passedNames.add(arg.name);
    };
    const record = (node, what, instead) => {
      if (stack.length === 0) return;
      // Every enclosing generator: a finding in a nested function still runs during the orchestrator's replay.
      findings.push({ node, what, instead, generators: [...stack] });
    };
    const enter = (node) => {
      if (isGenerator(node)) stack.push(node);
    };
    const exit = (node) => {
      if (isGenerator(node)) stack.pop();
    };

    return {
      FunctionExpression: enter,
      'FunctionExpression:exit': exit,
      FunctionDeclaration(node) {
        if (node.generator && node.id) generatorByName.set(node.id.name, node);
        enter(node);
      },
      'FunctionDeclaration:exit': exit,
      VariableDeclarator(node) {
        if (node.id.type !== 'Identifier' || !isGenerator(node.init)) return;
        generatorByName.set(node.id.name, node.init);
        if (typeAnnotationName(node.id) === 'OrchestrationHandler') orchestrators.add(node.init);
      },
      CallExpression(node) {
        const name = calleeName(node.callee);
        if (name === 'orchestration') markPassed(node.arguments[1]);
        if (name === 'createOrchestrator') markPassed(node.arguments[0]);
        const callee = node.callee;
        if (
          callee.type === 'MemberExpression' &&
          !callee.computed &&
          callee.object.type === 'Identifier' &&
          callee.property.type === 'Identifier'
        ) {
          const banned = BANNED_MEMBER_CALLS[callee.object.name];
          if (banned && banned.includes(callee.property.name)) {
            const clock =
              callee.object.name === 'Date' || callee.object.name === 'performance' || callee.object.name === 'process';
            record(
              node,
              `${callee.object.name}.${callee.property.name}()`,
              clock
                ? 'Use context.df.currentUtcDateTime.'
                : 'Pass random values in the input or get them from an activity (or use context.df.newGuid()).',
            );
            return;
          }
          if (IO_OBJECTS.has(callee.object.name)) {
            record(
              node,
              `${callee.object.name}.${callee.property.name}()`,
              'Do I/O in an activity (context.df.callActivity).',
            );
            return;
          }
        }
        if (callee.type === 'Identifier') {
          if (
            callee.name === 'require' &&
            node.arguments[0] &&
            node.arguments[0].type === 'Literal' &&
            IO_MODULES.has(node.arguments[0].value)
          ) {
            record(node, `require('${node.arguments[0].value}')`, 'Do I/O in an activity (context.df.callActivity).');
          } else if (BANNED_CALLS.has(callee.name)) {
            const instead =
              callee.name === 'Date'
                ? 'Use context.df.currentUtcDateTime.'
                : callee.name.startsWith('set')
                  ? 'Use context.df.createTimer.'
                  : callee.name === 'fetch'
                    ? 'Use context.df.callHttp or an activity.'
                    : 'Use context.df.newGuid() or an activity.';
            record(node, `${callee.name}()`, instead);
          }
        }
      },
      NewExpression(node) {
        // new Date(x) from a deterministic value is fine; new Date() reads the clock.
        if (node.callee.type === 'Identifier' && node.callee.name === 'Date' && node.arguments.length === 0)
          record(node, 'new Date()', 'Use context.df.currentUtcDateTime.');
      },
      AwaitExpression(node) {
        record(node, 'await', 'An orchestrator yields durable tasks; awaited work (I/O) belongs in an activity.');
      },
      'Program:exit'() {
        for (const name of passedNames) {
          const g = generatorByName.get(name);
          if (g) orchestrators.add(g);
        }
        for (const f of findings) {
          if (f.generators.some((g) => orchestrators.has(g)))
            context.report({ node: f.node, messageId: 'banned', data: { what: f.what, instead: f.instead } });
        }
      },
    };
  },
};
