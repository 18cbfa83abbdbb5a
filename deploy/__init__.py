"""The board on AWS: a CDK v2 app (ECS Fargate behind an ALB, RDS PostgreSQL, a trace collector).

Not part of the API's install: its libraries are the ``deploy`` extra. ``make synth`` writes the
CloudFormation templates to ``deploy/cdk.out/``; README "Deploy to AWS" tells the rest. The entry
point is ``deploy.app.build_app``; ``python -m deploy`` synthesizes.
"""
