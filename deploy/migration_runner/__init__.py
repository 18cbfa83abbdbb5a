"""The migration custom resource's Lambda code (deploy/migrations.py)."""
