/**
 * The policy kinds and rule types Rampart ships, registered once. A new kind or rule type is one module
 * and one line here (docs/CONTRIBUTING.md, "Adding a policy kind / a rule type").
 */
import { registerPolicyKind } from './engine/kind.js';
import { registerRuleType } from './engine/rule-type.js';
import { generateRuleType } from './generate/rule-type.js';
import { kyvernoPolicyKind } from './kyverno/kind.js';
import { mutateRuleType } from './mutate/rule-type.js';
import { validateRuleType } from './validate/rule-type.js';
import { verifyImagesRuleType } from './verifyimages/rule-type.js';

registerPolicyKind(kyvernoPolicyKind);
registerRuleType(validateRuleType);
registerRuleType(mutateRuleType);
registerRuleType(generateRuleType);
registerRuleType(verifyImagesRuleType);
