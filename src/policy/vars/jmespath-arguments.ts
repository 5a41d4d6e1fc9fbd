/**
 * The JMESPath runtime checks every function call's arguments against the function's signature
 * (@jmespath-community/jmespath 1.3.0, Runtime.validateArgs), and builds fresh arrays and closures
 * for it on every call: on the 20,000-document scan bench that was 8% of everything the scan
 * allocated (220 MB), for checks whose answer depends only on the signature and the argument types.
 * This replaces the runtime's check with one that makes the same decisions without allocating; any
 * call it would reject is handed to the library's own check, so error texts stay the library's.
 */
import { TreeInterpreter } from '@jmespath-community/jmespath';

interface Signature {
  types: number[];
  optional?: boolean;
  variadic?: boolean;
}

interface Runtime {
  validateArgs(name: string, args: unknown[], signature: Signature[]): void;
  getTypeName(value: unknown): number | undefined;
  typeMatches(actual: number, expected: number, value: unknown): boolean;
}

interface Arity {
  required: number;
  variadic: boolean;
  /** A variadic argument before the last: the library rejects every call (validateInputSignatures). */
  malformed: boolean;
}

const arities = new WeakMap<Signature[], Arity>();

function arityOf(signature: Signature[]): Arity {
  let arity = arities.get(signature);
  if (arity === undefined) {
    arity = {
      required: signature.filter((s) => !(s.optional ?? false)).length,
      variadic: signature[signature.length - 1]?.variadic ?? false,
      malformed: signature.some((s, i) => 'variadic' in s && i !== signature.length - 1),
    };
    arities.set(signature, arity);
  }
  return arity;
}

/** Whether the library's validateArgs accepts the call (it throws exactly when this is false). */
export function argumentsAccepted(runtime: Runtime, args: unknown[], signature: Signature[]): boolean {
  const { required, variadic, malformed } = arityOf(signature);
  if (malformed || args.length < required || (!variadic && args.length > signature.length)) return false;
  for (let i = 0; i < signature.length; i++) {
    const actual = runtime.getTypeName(args[i]);
    if (actual === undefined) continue;
    const types = signature[i]!.types;
    let matched = false;
    for (let t = 0; t < types.length && !matched; t++)
      matched = runtime.typeMatches(actual, types[t]!, args[i]);
    if (!matched) return false;
  }
  return true;
}

let installed = false;

/** Installs the allocation-free check on the runtime the JMESPath functions run on (once). */
export function installArgumentCheck(): void {
  if (installed) return;
  installed = true;
  const runtime = (TreeInterpreter as unknown as { runtime: Runtime }).runtime;
  const libraryCheck = runtime.validateArgs.bind(runtime);
  runtime.validateArgs = (name, args, signature) => {
    if (!Array.isArray(signature) || !argumentsAccepted(runtime, args, signature))
      libraryCheck(name, args, signature);
  };
}
