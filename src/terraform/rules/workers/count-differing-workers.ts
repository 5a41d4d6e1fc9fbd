import type { Result } from '../../../core/result.js';
import { expressionsIn } from '../../expr.js';
import { finding, memberOrigin, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { CATEGORY, managedResources } from './helpers.js';

export const COUNT_DIFFERING = terraformRule({
  id: 'tf-count-differing-workers',
  title: 'count used for workers that differ',
  severity: 'low',
  pack: CATEGORY,
  fix: 'Use for_each over a map keyed by worker name; with count, removing one entry shifts and replaces every later worker.',
});

const WORKER_TYPES = new Set([
  'aws_instance',
  'aws_spot_instance_request',
  'aws_autoscaling_group',
  'aws_launch_template',
  'aws_launch_configuration',
  'aws_eks_node_group',
]);
/** Spreading identical workers over subnets or zones by index is fine; only these may use count.index. */
const PLACEMENT_ATTRIBUTES = new Set([
  'subnet_id',
  'subnet_ids',
  'availability_zone',
  'vpc_zone_identifier',
  'private_ip',
  'name',
  'name_prefix',
  'tags',
  'tags_all',
  'count',
  'placement_partition_number',
]);

const INDEXED =
  /\[\s*count\.index\s*\]|element\([^)]*count\.index|lookup\([^)]*count\.index|count\.index\s*(==|!=|<=|>=|<|>|%)/;

export const countDifferingWorkers: TerraformRule = {
  meta: COUNT_DIFFERING,
  check(module) {
    const out: Result[] = [];
    for (const r of managedResources(module, { fromPlan: false })) {
      if (!WORKER_TYPES.has(r.type) || r.values.count === undefined) continue;
      const differing = Object.entries(r.values)
        .filter(([k]) => !PLACEMENT_ATTRIBUTES.has(k))
        .filter(([, v]) => expressionsIn(v).some((e) => INDEXED.test(e)))
        .map(([k]) => k);
      if (differing.length === 0) continue;
      out.push(
        finding(
          r,
          COUNT_DIFFERING,
          `${r.address} uses count but its workers differ by index in ${differing.join(', ')}`,
          {
            origin: memberOrigin(r, 'count'),
          },
        ),
      );
    }
    return out;
  },
  cases: {
    fire: [
      `resource "aws_instance" "w" {\n  count         = 3\n  ami           = "ami-123"\n  instance_type = var.instance_types[count.index]\n}\n`,
      `resource "aws_instance" "w" {\n  count         = length(var.workers)\n  ami           = element(var.amis, count.index)\n  instance_type = "m6i.large"\n}\n`,
      `resource "aws_launch_template" "w" {\n  count         = 2\n  instance_type = count.index == 0 ? "g5.xlarge" : "m6i.large"\n}\n`,
    ],
    pass: [
      `resource "aws_instance" "w" {\n  count         = 3\n  ami           = "ami-123"\n  instance_type = "m6i.large"\n  subnet_id     = var.subnet_ids[count.index % length(var.subnet_ids)]\n  tags = {\n    Name = "worker-\${count.index}"\n  }\n}\n`,
      `resource "aws_instance" "w" {\n  for_each      = var.workers\n  ami           = each.value.ami\n  instance_type = each.value.instance_type\n}\n`,
      `resource "aws_route53_record" "w" {\n  count   = 2\n  name    = var.names[count.index]\n  type    = "A"\n  records = [var.ips[count.index]]\n}\n`,
    ],
  },
};
