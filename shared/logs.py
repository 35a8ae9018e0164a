"""The platform's one logger, in a module of its own so that event-triggered functions (Kafka, SQS,
schedules, Step Functions tasks) can log without importing the HTTP layer (its resolver, validation
and error catalogue cost cold-start time they never use)."""

from aws_lambda_powertools import Logger

logger = Logger(service="algoarts")
