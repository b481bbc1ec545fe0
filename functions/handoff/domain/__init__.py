"""Pure domain: models and rules. Imports no boto3, no powertools, no docxtpl."""
