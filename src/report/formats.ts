import { UserError } from '../core/errors.js';

/**
 * The format registry every command's `-o/--output` goes through: a name, what it renders and how. Each
 * kind of report (results, a right-sizing report, ...) keeps one registry of its own value type, built
 * from the shared writers in this folder, so adding a format is one entry and the CLI renders nothing.
 */
export interface OutputFormatSpec<T, O, R extends string | Promise<string> = string> {
  description: string;
  render(value: T, options: O): R;
}

export class FormatRegistry<
  T,
  O = Record<string, never>,
  N extends string = string,
  R extends string | Promise<string> = string,
> {
  constructor(private readonly formats: Readonly<Record<N, OutputFormatSpec<T, O, R>>>) {}

  /** Format names in registration order. */
  get names(): N[] {
    return Object.keys(this.formats) as N[];
  }

  has(name: string): name is N {
    return Object.hasOwn(this.formats, name);
  }

  /** The format a flag names, or a usage error listing the formats there are. */
  parse(value: string, allowed: readonly string[] = this.names, flag = '-o/--output'): N {
    if (!allowed.includes(value) || !this.has(value))
      throw new UserError(`${flag} must be one of ${allowed.join(', ')}; got "${value}"`);
    return value;
  }

  render(value: T, format: N, options: O): R {
    return this.formats[format].render(value, options);
  }
}
