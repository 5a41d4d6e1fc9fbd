import type { Severity } from '../core/severity.js';

/**
 * Privilege-escalation paths as published by Rhino Security Labs ("AWS IAM Privilege Escalation –
 * Methods and Mitigation") and kept up by later research: each is a set of actions that together let a
 * principal gain permissions it was not given.
 */
export interface EscalationPath {
  actions: string[];
  how: string;
  severity: Severity;
}

export const ESCALATION_PATHS: readonly EscalationPath[] = [
  {
    actions: ['iam:CreatePolicyVersion'],
    how: 'write a new default version of a policy attached to oneself',
    severity: 'critical',
  },
  {
    actions: ['iam:SetDefaultPolicyVersion'],
    how: 'switch a policy to an older, broader version',
    severity: 'high',
  },
  { actions: ['iam:AttachUserPolicy'], how: 'attach AdministratorAccess to a user', severity: 'critical' },
  {
    actions: ['iam:AttachGroupPolicy'],
    how: "attach AdministratorAccess to one of one's groups",
    severity: 'critical',
  },
  {
    actions: ['iam:AttachRolePolicy'],
    how: 'attach AdministratorAccess to a role one can use',
    severity: 'critical',
  },
  { actions: ['iam:PutUserPolicy'], how: 'write an inline admin policy on a user', severity: 'critical' },
  { actions: ['iam:PutGroupPolicy'], how: 'write an inline admin policy on a group', severity: 'critical' },
  { actions: ['iam:PutRolePolicy'], how: 'write an inline admin policy on a role', severity: 'critical' },
  { actions: ['iam:AddUserToGroup'], how: 'join a more privileged group', severity: 'high' },
  { actions: ['iam:CreateAccessKey'], how: 'create access keys for another user', severity: 'high' },
  { actions: ['iam:CreateLoginProfile'], how: 'set a console password for another user', severity: 'high' },
  { actions: ['iam:UpdateLoginProfile'], how: "change another user's console password", severity: 'high' },
  {
    actions: ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'],
    how: 'trust oneself in a privileged role and assume it',
    severity: 'critical',
  },
  {
    actions: ['iam:PassRole', 'ec2:RunInstances'],
    how: 'start an instance with a privileged instance profile',
    severity: 'high',
  },
  {
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
    how: 'run code as a privileged Lambda role',
    severity: 'high',
  },
  {
    actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    how: 'run code as a privileged Lambda role, triggered by an event source',
    severity: 'high',
  },
  {
    actions: ['lambda:UpdateFunctionCode'],
    how: 'replace the code of a function that has a privileged role',
    severity: 'high',
  },
  {
    actions: ['iam:PassRole', 'glue:CreateDevEndpoint'],
    how: 'open a Glue endpoint with a privileged role',
    severity: 'high',
  },
  {
    actions: ['glue:UpdateDevEndpoint'],
    how: 'add an SSH key to an existing Glue endpoint',
    severity: 'high',
  },
  {
    actions: ['iam:PassRole', 'cloudformation:CreateStack'],
    how: 'create resources through a privileged stack role',
    severity: 'high',
  },
  {
    actions: ['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition'],
    how: 'run commands through a pipeline with a privileged role',
    severity: 'high',
  },
  {
    actions: ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    how: 'run a task with a privileged task role',
    severity: 'high',
  },
  {
    actions: ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'],
    how: 'run a build with a privileged service role',
    severity: 'high',
  },
  {
    actions: [
      'iam:PassRole',
      'sagemaker:CreateNotebookInstance',
      'sagemaker:CreatePresignedNotebookInstanceUrl',
    ],
    how: 'open a notebook with a privileged role',
    severity: 'high',
  },
  {
    actions: ['ssm:SendCommand'],
    how: 'run commands on instances whose roles are more privileged',
    severity: 'medium',
  },
];

/** Actions that return credentials, passwords or tokens (Cloudsplaining's "credentials exposure"). */
export const CREDENTIAL_EXPOSURE_ACTIONS: readonly string[] = [
  'chime:CreateApiKey',
  'codepipeline:PollForJobs',
  'cognito-identity:GetOpenIdToken',
  'cognito-identity:GetCredentialsForIdentity',
  'connect:GetFederationToken',
  'ec2:GetPasswordData',
  'ecr:GetAuthorizationToken',
  'gamelift:RequestUploadCredentials',
  'iam:CreateServiceSpecificCredential',
  'iam:ResetServiceSpecificCredential',
  'iam:UpdateAccessKey',
  'lightsail:GetInstanceAccessDetails',
  'lightsail:GetRelationalDatabaseMasterUserPassword',
  'rds-db:connect',
  'redshift:GetClusterCredentials',
  'sso:GetRoleCredentials',
  'sts:GetFederationToken',
  'sts:GetSessionToken',
];
