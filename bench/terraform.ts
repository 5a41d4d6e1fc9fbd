import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanTerraform } from '../src/terraform/scan.js';

const FILES = 1000;
const TARGET_S = 10;

/** One generated file: a mix of the resource shapes the Terraform rules look at. */
function generated(i: number): string {
  const n = `w${i}`;
  return `locals {
  name_${i} = "${n}"
}

data "aws_iam_policy_document" "${n}" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::bucket-${i}", "arn:aws:s3:::bucket-${i}/*"]
  }
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "${n}" {
  name   = "${n}"
  policy = ${
    i % 2 === 0
      ? `data.aws_iam_policy_document.${n}.json`
      : `jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["${i % 10 === 1 ? '*' : 'sqs:SendMessage'}"], Resource = "${i % 10 === 1 ? '*' : `arn:aws:sqs:eu-west-1:123456789012:q${i}`}" }]
  })`
  }
}

resource "aws_launch_template" "${n}" {
  name_prefix   = "${n}-"
  image_id      = var.ami
  instance_type = "m6i.large"
  user_data = base64encode(<<-EOT
    #!/bin/bash
    export TFC_AGENT_TOKEN=${i % 50 === 0 ? 'literal-token' : '$(aws ssm get-parameter --name t --query Parameter.Value --output text)'}
    docker run -d registry.example.com/agent:${i % 25 === 0 ? 'latest' : '1.2.3'}
  EOT
  )
  dynamic "block_device_mappings" {
    for_each = var.volumes
    content {
      device_name = block_device_mappings.key
    }
  }
}

resource "aws_autoscaling_group" "${n}" {
  name                = "${n}-\${aws_launch_template.${n}.latest_version}"
  min_size            = 1
  max_size            = 3
  vpc_zone_identifier = var.subnets
  target_group_arns   = [aws_lb_target_group.${n}.arn]
  health_check_type   = "${i % 3 === 0 ? 'EC2' : 'ELB'}"
  launch_template {
    id      = aws_launch_template.${n}.id
    version = aws_launch_template.${n}.latest_version
  }
${i % 4 === 0 ? '' : '  lifecycle {\n    create_before_destroy = true\n  }\n'}}

module "account_${i}" {
  source = "./modules/aft-account-request"
  control_tower_parameters = {
    AccountEmail              = "aws+${n}@example.com"
    AccountName               = "${n}"
    ManagedOrganizationalUnit = "Workloads"
    SSOUserEmail              = "team@example.com"
    SSOUserFirstName          = "Team"
    SSOUserLastName           = "${n}"
  }
  account_tags = {
    CostCenter  = "${i}"
    Environment = "dev"
    Project     = "bench"
  }
  change_management_parameters = {
    change_requested_by = "bench"
    change_reason       = "bench"
  }
  custom_fields = {
    vpc_cidr = "10.${Math.floor(i / 256)}.${i % 256}.0/24"
  }
}
`;
}

export async function bench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-bench-tf-'));
  try {
    for (let i = 0; i < FILES; i++) {
      const sub = join(dir, `stack-${Math.floor(i / 50)}`);
      await mkdir(sub, { recursive: true });
      await writeFile(join(sub, `f${i}.tf`), generated(i));
    }
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const out = await scanTerraform([dir], {});
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const fails = out.results.filter((r) => r.status === 'fail').length;
    console.log(
      `terraform scan: ${FILES} .tf files, ${out.documents.length} documents, ${fails} findings, ${out.errors.length} errors in ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU (target < ${TARGET_S} s) ${seconds < TARGET_S ? 'OK' : 'SLOW'}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
