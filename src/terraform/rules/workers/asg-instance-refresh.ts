import type { Result } from '../../../core/result.js';
import { finding, nestedBlocks, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { autoscalingGroups, CATEGORY, replacement } from './helpers.js';

export const INSTANCE_REFRESH = terraformRule({
  id: 'tf-asg-instance-refresh',
  title: 'Auto Scaling group without instance_refresh',
  severity: 'low',
  pack: CATEGORY,
  fix: 'Add an instance_refresh block (strategy = "Rolling") so launch template changes roll out to running instances.',
});

export const asgInstanceRefresh: TerraformRule = {
  meta: INSTANCE_REFRESH,
  check(module) {
    const out: Result[] = [];
    for (const r of autoscalingGroups(module)) {
      const v = r.values;
      const { versionedName, createBeforeDestroy } = replacement(r);
      const usesTemplate = v.launch_template !== undefined || v.mixed_instances_policy !== undefined;
      const replacedAsWhole = versionedName && createBeforeDestroy;
      if (usesTemplate && !replacedAsWhole && nestedBlocks(v.instance_refresh).length === 0) {
        out.push(
          finding(
            r,
            INSTANCE_REFRESH,
            `${r.address} has no instance_refresh; launch template changes reach only new instances`,
          ),
        );
      }
    }
    return out;
  },
  cases: {
    fire: [
      `resource "aws_autoscaling_group" "w" {\n  name     = "w"\n  min_size = 1\n  max_size = 2\n  launch_template {\n    id      = aws_launch_template.w.id\n    version = "$Latest"\n  }\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name     = "w"\n  min_size = 1\n  max_size = 2\n  mixed_instances_policy {\n    launch_template {\n      launch_template_specification {\n        launch_template_id = aws_launch_template.w.id\n      }\n    }\n  }\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name     = "w-\${aws_launch_template.w.latest_version}"\n  min_size = 1\n  max_size = 2\n  launch_template {\n    id = aws_launch_template.w.id\n  }\n}\n`,
    ],
    pass: [
      `resource "aws_autoscaling_group" "w" {\n  name     = "w"\n  min_size = 1\n  max_size = 2\n  launch_template {\n    id = aws_launch_template.w.id\n  }\n  instance_refresh {\n    strategy = "Rolling"\n  }\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name                 = "w"\n  min_size             = 1\n  max_size             = 2\n  launch_configuration = "lc"\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name     = "w-\${aws_launch_template.w.latest_version}"\n  min_size = 1\n  max_size = 2\n  launch_template {\n    id = aws_launch_template.w.id\n  }\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n`,
    ],
  },
};
