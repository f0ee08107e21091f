"""Host files: CloudFormation/SAM templates (YAML, JSON), CDK output and Terraform files.

Takes a host file's decoded text; hands on, per CodeBuild project, a `Project` record and
its buildspec: inline text with a map from each of its characters to the host text (so
findings land at host line:col), or the path of a buildspec file.
"""
