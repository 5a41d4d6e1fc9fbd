import { UserError } from '../../core/errors.js';

export async function run(_argv: string[]): Promise<number> {
  throw new UserError('the "iam" command is being built and is not in this version yet');
}
