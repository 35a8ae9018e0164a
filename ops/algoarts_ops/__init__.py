"""The operator commands of `algoarts`: the tools that also run against a deployment.

`rebuild` (read models from the event store), `dead-letters` (list and redrive), `companies import`
(bulk import), `keys` (JWT signing keys) and `create-platform-admin`. Each takes its endpoints
explicitly (flags, ALGOARTS_* variables, a stack name or a secret id) and falls back to the local
cloud of `make dev` only when none is given; that fallback is read in one place, `local_cloud.py`.
They live apart from `localstack/localcloud/` (what runs the platform on this machine) so that an
operator finds the production tools in their own package.
"""
