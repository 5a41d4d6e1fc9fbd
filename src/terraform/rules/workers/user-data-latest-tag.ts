import type { Result } from '../../../core/result.js';
import { finding, memberOrigin, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { b64 } from './examples.js';
import { CATEGORY, managedResources, userDataOf } from './helpers.js';

export const LATEST_TAG = terraformRule({
  id: 'tf-user-data-latest-tag',
  title: ':latest container image in user_data',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Pin the image by version tag or digest so every instance of the fleet runs the same software.',
});

export const userDataLatestTag: TerraformRule = {
  meta: LATEST_TAG,
  check(module) {
    const out: Result[] = [];
    for (const r of managedResources(module, { fromPlan: true })) {
      for (const { attribute, texts } of userDataOf(r)) {
        const latest = new Set(
          texts.flatMap((text) => [...text.matchAll(/[\w.\-/]+:latest(?![\w.-])/g)].map((m) => m[0])),
        );
        const origin = memberOrigin(r, attribute);
        for (const image of latest)
          out.push(finding(r, LATEST_TAG, `${attribute}: image ${image} uses the :latest tag`, { origin }));
      }
    }
    return out;
  },
  cases: {
    fire: [
      `resource "aws_launch_template" "w" {\n  user_data = base64encode("docker run -d nginx:latest")\n}\n`,
      `resource "aws_instance" "w" {\n  user_data = <<-EOT\n    #!/bin/bash\n    docker pull 123456789012.dkr.ecr.eu-west-1.amazonaws.com/agent:latest\n  EOT\n}\n`,
      `resource "aws_launch_template" "w" {\n  user_data = "${b64('#!/bin/bash\npodman run ghcr.io/acme/worker:latest\n')}"\n}\n`,
    ],
    pass: [
      `resource "aws_launch_template" "w" {\n  user_data = base64encode("docker run -d nginx:1.27.2")\n}\n`,
      `resource "aws_instance" "w" {\n  user_data = "docker run ghcr.io/acme/worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"\n}\n`,
      `resource "aws_launch_template" "w" {\n  user_data = base64encode("curl -s http://169.254.169.254/latest/meta-data/ && docker run app:latest-stable-2")\n}\n`,
    ],
  },
};
