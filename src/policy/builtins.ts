/**
 * The policy kinds and rule types Rampart ships, registered once. A new kind or rule type is one module
 * and one line here (docs/CONTRIBUTING.md, "Adding a policy kind / a rule type").
 */
import { registerPolicyKind } from './engine/kind.js';
import { registerRuleFeature, registerRuleType } from './engine/rule-type.js';
import { generateRuleType } from './generate/rule-type.js';
import { dpolPolicyKind } from './kinds/dpol/kind.js';
import { gatekeeperPolicyKind } from './kinds/gatekeeper/kind.js';
import { gpolPolicyKind } from './kinds/gpol/kind.js';
import { ivpolPolicyKind } from './kinds/ivpol/kind.js';
import { mapPolicyKind } from './kinds/map/kind.js';
import { mpolPolicyKind } from './kinds/mpol/kind.js';
import { celPreconditionsFeature, validateCelRuleType } from './kinds/validate-cel/rule-type.js';
import { vapPolicyKind } from './kinds/vap/kind.js';
import { vpolPolicyKind } from './kinds/vpol/kind.js';
import { kyvernoPolicyKind } from './kyverno/kind.js';
import { mutateRuleType } from './mutate/rule-type.js';
import { validateRuleType } from './validate/rule-type.js';
import { verifyImagesRuleType } from './verifyimages/rule-type.js';

registerPolicyKind(kyvernoPolicyKind);
registerPolicyKind(vapPolicyKind);
registerPolicyKind(mapPolicyKind);
registerPolicyKind(vpolPolicyKind);
registerPolicyKind(gatekeeperPolicyKind);
registerPolicyKind(mpolPolicyKind);
registerPolicyKind(gpolPolicyKind);
registerPolicyKind(dpolPolicyKind);
registerPolicyKind(ivpolPolicyKind);
registerRuleType(validateRuleType);
registerRuleType(validateCelRuleType);
registerRuleFeature(celPreconditionsFeature);
registerRuleType(mutateRuleType);
registerRuleType(generateRuleType);
registerRuleType(verifyImagesRuleType);
