"""Lambda function handlers that constructs deploy, one folder per function.

Each folder holds one handler file of plain Python and boto3 that imports nothing of trailwatch, so
the folder is the function's whole asset and the function starts without loading the CDK.
"""
