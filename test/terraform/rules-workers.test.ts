import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findSecrets } from '../../src/terraform/rules/workers.js';
import { failures, type RuleCases } from './helpers.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const CASES: RuleCases[] = [
  {
    rule: 'tf-worker-provisioner',
    fire: [
      `resource "aws_instance" "w" {\n  ami = "ami-123"\n  provisioner "remote-exec" {\n    inline = ["sudo yum install -y agent"]\n  }\n}\n`,
      `resource "aws_instance" "w" {\n  ami = "ami-123"\n  provisioner "file" {\n    source      = "agent.conf"\n    destination = "/etc/agent.conf"\n  }\n}\n`,
      `resource "null_resource" "setup" {\n  provisioner "local-exec" {\n    command = "echo hi"\n  }\n  provisioner "remote-exec" {\n    script = "setup.sh"\n  }\n}\n`,
    ],
    pass: [
      `resource "aws_instance" "w" {\n  ami = "ami-123"\n}\n`,
      `resource "null_resource" "x" {\n  provisioner "local-exec" {\n    command = "echo done"\n  }\n}\n`,
      `resource "aws_instance" "w" {\n  ami       = "ami-123"\n  user_data = "#!/bin/bash\\necho remote-exec file provisioner"\n}\n`,
    ],
  },
  {
    rule: 'tf-asg-create-before-destroy',
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
  {
    rule: 'tf-asg-instance-refresh',
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
  {
    rule: 'tf-asg-health-check-type',
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
  {
    rule: 'tf-user-data-secret',
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
  {
    rule: 'tf-user-data-latest-tag',
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
  {
    rule: 'tf-count-differing-workers',
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
];

describe('worker fleet rules', () => {
  for (const c of CASES) {
    describe(c.rule, () => {
      c.fire.forEach((hcl, i) => {
        test(`fires on case ${i + 1}`, async () => {
          const found = await failures(hcl, c.rule, c.config);
          assert.ok(found.length > 0, `expected ${c.rule} on:\n${hcl}`);
          assert.equal(found[0]!.category, 'worker-fleet');
          assert.ok(found[0]!.origin && found[0]!.origin.line >= 1);
        });
      });
      c.pass.forEach((hcl, i) => {
        test(`does not fire on case ${i + 1}`, async () => {
          assert.deepEqual(await failures(hcl, c.rule, c.config), []);
        });
      });
    });
  }

  test('the provisioner finding points at the provisioner line', async () => {
    const [f] = await failures(CASES[0]!.fire[0]!, 'tf-worker-provisioner');
    assert.equal(f!.origin!.line, 3);
    assert.equal(f!.resource.name, 'aws_instance.w');
  });

  test('secrets in a user_data script read with templatefile() are found', async () => {
    const found = await failures(
      `resource "aws_launch_template" "w" {\n  user_data = base64encode(templatefile("\${path.module}/boot.sh", { name = "w" }))\n}\n`,
      'tf-user-data-secret',
      {},
      { 'boot.sh': '#!/bin/bash\nexport TFC_AGENT_TOKEN=literal-token-value\n' },
    );
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /TFC_AGENT_TOKEN is set to a literal token/);
  });

  test('findSecrets reports interpolated tokens and ignores runtime lookups', () => {
    assert.deepEqual(findSecrets(`TFC_AGENT_TOKEN=\${var.t}`), [
      `TFC_AGENT_TOKEN is interpolated from \${var.t}`,
    ]);
    assert.deepEqual(findSecrets(`TFC_AGENT_TOKEN=$\${TOKEN}\npassword=$(pass show db)`), []);
  });
});

describe('findSecrets', () => {
  test('credential-named keys with literal values are secrets', () => {
    assert.deepEqual(
      findSecrets('export DB_PASSWORD=s3cr3t\nGITHUB_TOKEN: ghp_abc123\nclient_secret = "xyz"'),
      [
        'DB_PASSWORD is set to a literal value',
        'GITHUB_TOKEN is set to a literal value',
        'client_secret is set to a literal value',
      ],
    );
  });

  test('switches, placeholders and look-ups are not', () => {
    assert.deepEqual(
      findSecrets(
        'lock_passwd: false\nPASSWORD_FILE=/run/secrets/db\nTOKEN_TTL=60\nmax_tokens=100\nGITHUB_TOKEN=$(cat /run/t)',
      ),
      [],
    );
  });
});
