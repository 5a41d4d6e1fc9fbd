import { DEFAULT_AFT_TAGS, finding, memberOrigin } from '../model.js';
import {
  type AftRule,
  aftRule,
  exampleRequest,
  knownFields,
  missingFields,
  unknownBlock,
} from './request.js';

export const AFT_TAGS = aftRule(
  'aft-account-tags',
  'Required account tags missing',
  'medium',
  'Add the missing keys to account_tags.',
);

export const accountTags: AftRule = {
  meta: AFT_TAGS,
  check: (requests, config) => {
    const required = config.aft?.requiredTags ?? DEFAULT_AFT_TAGS;
    if (required.length === 0) return [];
    return requests.flatMap((request) => {
      if (unknownBlock(request.tags) !== undefined) return [];
      const missing = missingFields(knownFields(request.tags), required);
      if (missing.length === 0) return [];
      const r = request.resource;
      const message = `account_tags ${request.tags ? 'misses' : 'is absent; required tags:'} ${missing.join(', ')}`;
      return [finding(r, AFT_TAGS, message, { origin: memberOrigin(r, 'account_tags') })];
    });
  },
  cases: {
    valid: [
      { requests: [exampleRequest({ account_tags: {} })], config: { aft: { requiredTags: [] } } },
      {
        requests: [exampleRequest({ account_tags: { Team: 'a' } })],
        config: { aft: { requiredTags: ['Team'] } },
      },
    ],
    invalid: [
      { requests: [exampleRequest({ account_tags: undefined })] },
      { requests: [exampleRequest({ account_tags: { CostCenter: 'cc-1', Environment: '', Project: 'p' } })] },
    ],
  },
};
