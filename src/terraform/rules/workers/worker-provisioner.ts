import type { Result } from '../../../core/result.js';
import { finding, memberOrigin, nestedBlocks, terraformRule } from '../../model.js';
import type { TerraformRule } from '../rule.js';
import { CATEGORY, managedResources } from './helpers.js';

export const PROVISIONER = terraformRule({
  id: 'tf-worker-provisioner',
  title: 'remote-exec or file provisioner',
  severity: 'medium',
  pack: CATEGORY,
  fix: 'Bake software and files into the image (Packer, EC2 Image Builder) and pass per-instance settings in user_data.',
});

export const workerProvisioner: TerraformRule = {
  meta: PROVISIONER,
  check(module) {
    const out: Result[] = [];
    for (const r of managedResources(module, { fromPlan: false })) {
      for (const block of nestedBlocks(r.values.provisioner)) {
        for (const kind of Object.keys(block)) {
          if (kind !== 'remote-exec' && kind !== 'file') continue;
          out.push(
            finding(
              r,
              PROVISIONER,
              `${r.address} uses a "${kind}" provisioner; instances should boot from a baked image`,
              {
                origin: memberOrigin(r, 'provisioner'),
              },
            ),
          );
        }
      }
    }
    return out;
  },
  cases: {
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
};
