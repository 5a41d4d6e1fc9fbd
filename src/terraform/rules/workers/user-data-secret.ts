import type { Result } from '../../../core/result.js';
import { finding, memberOrigin, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { b64 } from './examples.js';
import { CATEGORY, findSecrets, managedResources, userDataOf } from './helpers.js';

export const USER_DATA_SECRET = terraformRule({
  id: 'tf-user-data-secret',
  title: 'Secret in user_data',
  severity: 'critical',
  pack: CATEGORY,
  fix: 'Fetch secrets at boot from SSM Parameter Store or Secrets Manager with the instance role; user_data is readable from the instance metadata and stored in Terraform state.',
});

export const userDataSecret: TerraformRule = {
  meta: USER_DATA_SECRET,
  check(module) {
    const out: Result[] = [];
    for (const r of managedResources(module, { fromPlan: true })) {
      for (const { attribute, texts } of userDataOf(r)) {
        const secrets = new Set(texts.flatMap(findSecrets));
        const origin = memberOrigin(r, attribute);
        for (const s of secrets) out.push(finding(r, USER_DATA_SECRET, `${attribute}: ${s}`, { origin }));
      }
    }
    return out;
  },
  cases: {
    fire: [
      `resource "aws_launch_template" "w" {\n  user_data = base64encode(<<-EOT\n    #!/bin/bash\n    export TFC_AGENT_TOKEN=abcdefghijklmn.atlasv1.0123456789\n  EOT\n  )\n}\n`,
      `resource "aws_instance" "w" {\n  user_data = "#!/bin/bash\\naws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE\\n"\n}\n`,
      `resource "aws_launch_template" "w" {\n  user_data = "${b64('#cloud-config\npassword: hunter22\nchpasswd: { expire: false }\n')}"\n}\n`,
      `resource "aws_launch_configuration" "w" {\n  user_data = <<EOT\n#!/bin/bash\necho "TFC_AGENT_TOKEN=\${var.tfc_agent_token}" > /etc/tfc-agent.env\nEOT\n}\n`,
    ],
    pass: [
      `resource "aws_launch_template" "w" {\n  user_data = base64encode(<<-EOT\n    #!/bin/bash\n    export TFC_AGENT_TOKEN=$(aws ssm get-parameter --name /tfc/token --with-decryption --query Parameter.Value --output text)\n  EOT\n  )\n}\n`,
      `resource "aws_launch_template" "w" {\n  user_data = base64encode(<<-EOT\n    #!/bin/bash\n    TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")\n    curl -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id\n    echo "$DB_PASSWORD" | docker login --password-stdin registry.example.com\n  EOT\n  )\n}\n`,
      `resource "aws_instance" "w" {\n  user_data = "${b64('#!/bin/bash\npassword=$(cat /run/secrets/db)\necho ok\n')}"\n}\n`,
    ],
  },
};
