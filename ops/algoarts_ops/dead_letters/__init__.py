"""`algoarts dead-letters list|redrive`: what the dead-letter queues hold, and sending it back.

The dead-letter queues come from template.yaml, the one description of the system (`queues.py`):

* a Kafka-triggered function's `DestinationConfig.OnFailure` queue ("kafka"): each message is the
  on-failure record of one batch, `responseContext.reason` says why, and `payload` is the MSK-shaped
  event the function was given (localcloud/triggers.py adds it; AWS itself sends only the batch's
  metadata, which cannot be redriven from here). Redrive invokes the function with that same event and
  deletes the message only when the invocation succeeded.
* a queue's `RedrivePolicy.deadLetterTargetArn` ("queue"): the verification worker parks a request as
  {"reason", "message_id", "body"}; SQS itself moves a message there unchanged after maxReceiveCount.
  Redrive sends the original body back to the source queue, then deletes the dead letter.

Listing never deletes: messages are received with a visibility timeout, then made visible again at once
(`sqs.py`). The pure part (reading a message in `letters.py`, the redrive decision in `redrive.py`, the
printing in `cli.py`) is unit-tested; the SQS and Lambda calls are thin.

Targets (`target.py`): the running local cloud (its emulator endpoint), or a deployed stack with
`--stack-name`, the default AWS credentials, and `--endpoint`/`--region` passed explicitly to every client.
"""
