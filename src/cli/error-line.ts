/**
 * The one shape of an error line on stderr, for every command:
 *
 *     rampart: <command>: FILE:LINE:COL: message
 *
 * `<command>` is what the user typed (`scan`, `iam lint`, `apk build`); the position comes from the
 * error's message (a `UserError` with a position already starts with `FILE:LINE:COL: `). A message
 * that already names its command (`iam compose: -O …`, `iam trust irsa: …`) keeps that name rather
 * than repeating it.
 */
export function errorLine(command: string, message: string): string {
  return `rampart: ${namesCommand(command, message) ? '' : `${command}: `}${message}\n`;
}

/** Whether `message` starts with `<top-level command>[ <sub-command words>]: `. */
function namesCommand(command: string, message: string): boolean {
  const top = command.split(' ')[0]!;
  if (!message.startsWith(top)) return false;
  return /^(?: [a-z][a-z0-9-]*)*: /.test(message.slice(top.length));
}

/** The commands whose first argument is a sub-command, so that their errors name both (`iam lint`). */
const WITH_SUBCOMMANDS = new Set(['apk', 'iam', 'aft', 'aws', 'disk', 'gpu']);

/** The command label for `argv` (the arguments after `rampart`): `scan`, `iam lint`, or `rampart` alone. */
export function commandLabel(argv: readonly string[]): string | undefined {
  const [name, sub] = argv;
  if (name === undefined || name.startsWith('-')) return undefined;
  if (WITH_SUBCOMMANDS.has(name) && sub !== undefined && /^[a-z][a-z0-9-]*$/.test(sub))
    return `${name} ${sub}`;
  return name;
}
