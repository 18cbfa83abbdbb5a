"""``python -m deploy``: synthesize the app (``make synth``, or the CDK CLI through cdk.json)."""

from aws_cdk import App

from deploy.app import build_app

app = App()
build_app(app)
app.synth()
