"""CDK constructs (layer 2): they import ``aws_cdk`` and build on the pure catalogue."""
