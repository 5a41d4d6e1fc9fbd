# A small worker pool module, with the mistakes `rampart scan examples/` reports: an inline IAM policy
# with wildcards, a role without a permissions boundary, an Auto Scaling group without instance refresh
# or ELB health checks, and a secret and a :latest image in user data.

variable "name" {
  type    = string
  default = "gpu-workers"
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-0123456789abcdef0"]
}

resource "aws_iam_role" "worker" {
  name = "${var.name}-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "worker" {
  name = "${var.name}-node"
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:*", "ecr:*"]
      Resource = "*"
    }]
  })
}

resource "aws_launch_template" "worker" {
  name_prefix   = "${var.name}-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "g5.xlarge"
  user_data = base64encode(<<-EOT
    #!/bin/sh
    export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    docker run -d registry.example.com/agent:latest
  EOT
  )
}

resource "aws_autoscaling_group" "worker" {
  name                = var.name
  min_size            = 0
  max_size            = 4
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.worker.id
    version = "$Latest"
  }
}
