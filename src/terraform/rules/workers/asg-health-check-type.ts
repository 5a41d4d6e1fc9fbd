import type { Result } from '../../../core/result.js';
import { refersTo } from '../../expr.js';
import { finding, memberOrigin, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { autoscalingGroups, CATEGORY } from './helpers.js';

export const HEALTH_CHECK = terraformRule({
  id: 'tf-asg-health-check-type',
  title: 'EC2 health checks behind a load balancer',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Set health_check_type = "ELB" (and a health_check_grace_period) so instances failing the load balancer health check are replaced.',
});

export const asgHealthCheckType: TerraformRule = {
  meta: HEALTH_CHECK,
  check(module) {
    const out: Result[] = [];
    for (const r of autoscalingGroups(module)) {
      const v = r.values;
      const lbs = [v.target_group_arns, v.load_balancers].some((x) =>
        Array.isArray(x) ? x.length > 0 : typeof x === 'string' && x !== '',
      );
      const attached =
        lbs ||
        module.resources.some(
          (a) =>
            (a.type === 'aws_autoscaling_attachment' ||
              a.type === 'aws_autoscaling_traffic_source_attachment') &&
            refersTo(a.values.autoscaling_group_name, 'aws_autoscaling_group', r.name),
        );
      const hc = v.health_check_type;
      if (attached && (hc === undefined || hc === null || hc === 'EC2')) {
        out.push(
          finding(
            r,
            HEALTH_CHECK,
            hc === 'EC2'
              ? `${r.address} is behind a load balancer but uses health_check_type = "EC2"`
              : `${r.address} is behind a load balancer but health_check_type defaults to "EC2"`,
            { origin: memberOrigin(r, hc === undefined ? 'name' : 'health_check_type') },
          ),
        );
      }
    }
    return out;
  },
  cases: {
    fire: [
      `resource "aws_autoscaling_group" "w" {\n  name              = "w"\n  min_size          = 1\n  max_size          = 2\n  health_check_type = "EC2"\n  target_group_arns = [aws_lb_target_group.w.arn]\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name           = "w"\n  min_size       = 1\n  max_size       = 2\n  load_balancers = ["classic-elb"]\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name              = "w"\n  min_size          = 1\n  max_size          = 2\n  health_check_type = "EC2"\n}\nresource "aws_autoscaling_attachment" "w" {\n  autoscaling_group_name = aws_autoscaling_group.w.id\n  lb_target_group_arn    = aws_lb_target_group.w.arn\n}\n`,
    ],
    pass: [
      `resource "aws_autoscaling_group" "w" {\n  name              = "w"\n  min_size          = 1\n  max_size          = 2\n  health_check_type = "ELB"\n  target_group_arns = [aws_lb_target_group.w.arn]\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name              = "w"\n  min_size          = 1\n  max_size          = 2\n  health_check_type = "EC2"\n}\n`,
      `resource "aws_autoscaling_group" "w" {\n  name              = "w"\n  min_size          = 1\n  max_size          = 2\n  target_group_arns = []\n}\nresource "aws_autoscaling_attachment" "other" {\n  autoscaling_group_name = aws_autoscaling_group.other.id\n  lb_target_group_arn    = aws_lb_target_group.w.arn\n}\n`,
    ],
  },
};
