"""Adapters: boto3 and file-format code behind the ports the services declare."""
