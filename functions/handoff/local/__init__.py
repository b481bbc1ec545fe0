"""The local runtime: AWS from moto in this process, the API over HTTP. Not shipped to Lambda."""
