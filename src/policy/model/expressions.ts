/**
 * Load-time checks of the JMESPath a policy holds, as Kyverno rejects such policies on admission:
 * a syntax error, an unknown function, or a literal regular expression that does not compile. Only
 * what is fixed in the policy text is checked; a variable whose text is built at run time (nested
 * `{{ }}`, `$( )` references) keeps its run-time error.
 */
import { compile, isRegistered } from '@jmespath-community/jmespath';
import { isObject } from '../../core/document.js';
import { registerKyvernoFunctions } from '../vars/functions.js';
import { compileGoRegex } from '../vars/strings.js';

/** `{{ expression }}` not escaped with a backslash and holding no nested variable. */
const VARIABLE = /(^|[^\\])\{\{((?:\{[^{}]*\}|[^{}])*)\}\}/g;
/** Functions whose first argument is a Go regular expression. */
const REGEX_FUNCTIONS = new Set(['regex_match', 'regex_replace_all', 'regex_replace_all_literal']);
/** Fields that hold a bare JMESPath expression rather than text with `{{ }}` variables. */
const EXPRESSION_FIELDS = new Set(['jmesPath', 'list']);

/** Problems (`field: message`) in every JMESPath expression of one rule. */
export function checkRuleExpressions(rule: unknown, path: string, problems: string[]): void {
  registerKyvernoFunctions();
  walk(rule, path, undefined, problems);
}

function walk(value: unknown, path: string, key: string | undefined, problems: string[]): void {
  if (typeof value === 'string') {
    if (key !== undefined && EXPRESSION_FIELDS.has(key) && !value.includes('{{') && !value.includes('$(')) {
      checkExpression(value, path, problems);
    }
    for (const m of value.matchAll(VARIABLE)) {
      const expression = m[2]!.trim();
      if (expression === '@' || expression === '' || expression.includes('$(')) continue;
      checkExpression(expression, path, problems);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walk(v, `${path}[${i}]`, undefined, problems);
    });
    return;
  }
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, k, problems);
  }
}

function checkExpression(expression: string, path: string, problems: string[]): void {
  let ast: unknown;
  try {
    ast = compile(expression, { enable_legacy_literals: true });
  } catch (error) {
    problems.push(`${path}: invalid JMESPath "${expression}": ${(error as Error).message}`);
    return;
  }
  visitFunctions(ast, (name, args) => {
    if (!isRegistered(name)) {
      problems.push(`${path}: unknown JMESPath function "${name}" in "${expression}"`);
      return;
    }
    const first = args[0] as { type?: string; value?: unknown } | undefined;
    if (REGEX_FUNCTIONS.has(name) && first?.type === 'Literal' && typeof first.value === 'string') {
      try {
        compileGoRegex(first.value);
      } catch (error) {
        problems.push(
          `${path}: ${name}: invalid regular expression "${first.value}": ${(error as Error).message}`,
        );
      }
    }
  });
}

function visitFunctions(node: unknown, onFunction: (name: string, args: unknown[]) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) visitFunctions(n, onFunction);
    return;
  }
  if (!isObject(node)) return;
  if (node.type === 'Function' && typeof node.name === 'string')
    onFunction(node.name, Array.isArray(node.children) ? node.children : []);
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'value' && typeof v === 'object' && v !== null) visitFunctions(v, onFunction);
  }
}
