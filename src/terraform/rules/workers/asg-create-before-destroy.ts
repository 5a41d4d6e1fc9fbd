import type { Result } from '../../../core/result.js';
import { finding, memberOrigin, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { autoscalingGroups, CATEGORY, replacement } from './helpers.js';

export const CREATE_BEFORE_DESTROY = terraformRule({
  id: 'tf-asg-create-before-destroy',
  title: 'Auto Scaling group replaced without create_before_destroy',
  severity: 'high',
  pack: CATEGORY,
  fix: 'Add lifecycle { create_before_destroy = true } so the new group is up before the old one is destroyed.',
});

export const asgCreateBeforeDestroy: TerraformRule = {
  meta: CREATE_BEFORE_DESTROY,
  check(module) {
    const out: Result[] = [];
    for (const r of autoscalingGroups(module)) {
      if (r.fromPlan) continue;
      const { versionedName, createBeforeDestroy } = replacement(r);
      if (versionedName && !createBeforeDestroy) {
        out.push(
          finding(
            r,
            CREATE_BEFORE_DESTROY,
            `${r.address} is named after its launch template or image, so each new version replaces the group; without create_before_destroy the fleet is destroyed first`,
            { origin: memberOrigin(r, 'name') },
          ),
        );
      }
    }
    return out;
  },
  cases: {
    fire: [
      `resource "aws_autoscaling_group" "w" {\n  name     = "workers-\${aws_launch_template.w.latest_version}"\n  min_size = 1\n  max_size = 2\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name                 = "workers-\${aws_launch_configuration.w.name}"\n  launch_configuration = aws_launch_configuration.w.name\n  min_size             = 1\n  max_size             = 2\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name     = "workers-\${var.ami_version}"\n  min_size = 1\n  max_size = 2\n  lifecycle {\n    ignore_changes = [desired_capacity]\n  }\n}\n`,
    ],
    pass: [
      `resource "aws_autoscaling_group" "w" {\n  name     = "workers-\${aws_launch_template.w.latest_version}"\n  min_size = 1\n  max_size = 2\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name     = "workers"\n  min_size = 1\n  max_size = 2\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name_prefix = "workers-\${var.env}-"\n  min_size    = 1\n  max_size    = 2\n}\n`,
    ],
  },
};
