/**
 * An unresolvable variable, or a JMESPath syntax or runtime error. The engine turns it into an
 * `error` result for the rule, as Kyverno does.
 */
export class VariableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VariableError';
  }
}

/** Kyverno's `JMESPath function '<name>': ...` error prefix. */
export function functionError(name: string, detail: string): VariableError {
  return new VariableError(`JMESPath function '${name}': ${detail}`);
}

export function argumentTypeError(name: string, index: number, type: string): VariableError {
  return functionError(name, `argument #${index} is not of type ${type}`);
}
