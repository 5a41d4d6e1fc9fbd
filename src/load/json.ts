import { type ParseError, printParseErrorCode, visit } from 'jsonc-parser';
import { UserError } from '../core/errors.js';

/**
 * Parses strict JSON. A syntax error is a UserError naming the file, line and column of the first
 * problem (JSON.parse's own messages often carry no position).
 */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw jsonSyntaxError(text, file, error as Error);
  }
}

/** The UserError for a text JSON.parse rejected: the first syntax problem, with its position. */
export function jsonSyntaxError(text: string, file: string, cause?: Error): UserError {
  const problem = firstProblem(text);
  const offset = problem?.offset ?? text.length;
  const { line, column } = lineColumn(text, offset);
  const what = problem ? describe(printParseErrorCode(problem.error)) : (cause?.message ?? 'invalid JSON');
  return new UserError(`invalid JSON: ${what}`, { position: { file, line, column }, cause });
}

function firstProblem(text: string): ParseError | undefined {
  let first: ParseError | undefined;
  visit(
    text,
    {
      onError: (error, offset, length) => {
        first ??= { error, offset, length };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return first;
}

function describe(code: string): string {
  // InvalidSymbol → "invalid symbol"
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}
